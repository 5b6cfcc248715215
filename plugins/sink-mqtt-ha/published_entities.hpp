// Which discovery topics this sink has published, per device, kept in the sink's state
// folder. After a restart the sink compares a meter's new discovery with what it published
// before and deletes the entities of registers that were removed from the configuration.
#pragma once

#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace kamgw::mqtt_ha {

class PublishedEntities {
public:
    PublishedEntities() = default;
    explicit PublishedEntities(std::filesystem::path file) : file_(std::move(file)) {}

    // Reads the file; a missing file is an empty list. Returns false (and keeps an empty list)
    // when the file is unreadable or corrupt, with the reason in `error`.
    bool load(std::string& error);
    // Writes the file atomically (temporary file + rename). Returns false with the reason.
    bool save(std::string& error) const;

    // Replaces the topics of `device` and returns the topics it had before and no longer has.
    std::vector<std::string> replace(const std::string& device, const std::set<std::string>& topics);

    [[nodiscard]] const std::set<std::string>& topics(const std::string& device) const;
    [[nodiscard]] const std::map<std::string, std::set<std::string>>& all() const { return devices_; }

private:
    std::filesystem::path file_;
    std::map<std::string, std::set<std::string>> devices_;
};

}  // namespace kamgw::mqtt_ha
