#include "plugins/sink-mqtt-ha/published_entities.hpp"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace kamgw::mqtt_ha {

bool PublishedEntities::load(std::string& error) {
    devices_.clear();
    std::error_code ec;
    if (file_.empty() || !std::filesystem::exists(file_, ec)) return true;
    std::ifstream in(file_);
    std::stringstream text;
    text << in.rdbuf();
    if (!in && !in.eof()) {
        error = "cannot read " + file_.string();
        return false;
    }
    const auto j = nlohmann::json::parse(text.str(), nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("devices") || !j["devices"].is_object()) {
        error = file_.string() + " is not a published-entities file; starting with an empty list";
        return false;
    }
    for (const auto& [device, topics] : j["devices"].items()) {
        if (!topics.is_array()) continue;
        auto& set = devices_[device];
        for (const auto& t : topics)
            if (t.is_string()) set.insert(t.get<std::string>());
    }
    return true;
}

bool PublishedEntities::save(std::string& error) const {
    if (file_.empty()) return true;
    nlohmann::ordered_json j;
    j["devices"] = nlohmann::ordered_json::object();
    for (const auto& [device, topics] : devices_) j["devices"][device] = topics;
    std::error_code ec;
    std::filesystem::create_directories(file_.parent_path(), ec);
    const auto tmp = std::filesystem::path(file_.string() + ".tmp");
    {
        std::ofstream out(tmp, std::ios::trunc);
        out << j.dump(2) << '\n';
        out.flush();
        if (!out) {
            error = "cannot write " + tmp.string();
            return false;
        }
    }
    std::filesystem::rename(tmp, file_, ec);
    if (ec) {
        error = "cannot replace " + file_.string() + ": " + ec.message();
        return false;
    }
    return true;
}

std::vector<std::string> PublishedEntities::replace(const std::string& device, const std::set<std::string>& topics) {
    std::vector<std::string> gone;
    auto& current = devices_[device];
    for (const auto& t : current)
        if (!topics.contains(t)) gone.push_back(t);
    current = topics;
    return gone;
}

const std::set<std::string>& PublishedEntities::topics(const std::string& device) const {
    static const std::set<std::string> none;
    const auto it = devices_.find(device);
    return it == devices_.end() ? none : it->second;
}

}  // namespace kamgw::mqtt_ha
