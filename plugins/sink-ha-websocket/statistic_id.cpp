#include "plugins/sink-ha-websocket/statistic_id.hpp"

namespace kamgw::ha_websocket {
namespace {

bool id_char(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; }

bool valid_half(std::string_view half) {
    if (half.empty() || half.front() == '_' || half.back() == '_') return false;
    for (char c : half)
        if (!id_char(c)) return false;
    return true;
}

}  // namespace

bool valid_statistic_id(std::string_view id) {
    const auto colon = id.find(':');
    if (colon == std::string_view::npos) return false;
    if (!valid_half(id.substr(0, colon)) || !valid_half(id.substr(colon + 1))) return false;
    // (?!.+__): no "__" starting at index 1 or later. A "__" at index 0 is already excluded
    // by the no-leading-'_' rule.
    return id.find("__", 1) == std::string_view::npos;
}

bool valid_statistic_source(std::string_view source) {
    return valid_half(source) && source.find("__") == std::string_view::npos;
}

std::optional<std::string> statistic_source_of(std::string_view id) {
    if (!valid_statistic_id(id)) return std::nullopt;
    return std::string(id.substr(0, id.find(':')));
}

bool statistic_source_matches(std::string_view id, std::string_view source) {
    const auto own = statistic_source_of(id);
    return own && *own == source;
}

std::string id_part(std::string_view text) {
    std::string out;
    for (char c : text) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        const char mapped = id_char(c) ? c : '_';
        if (mapped == '_' && (out.empty() || out.back() == '_')) continue;
        out.push_back(mapped);
    }
    while (!out.empty() && out.back() == '_') out.pop_back();
    return out.empty() ? "meter" : out;
}

std::optional<std::string> make_statistic_id(std::string_view source, std::string_view serial, std::string_view key) {
    std::string id = std::string(source) + ":" + id_part(std::string(serial) + "_" + std::string(key));
    if (!valid_statistic_id(id) || !statistic_source_matches(id, source)) return std::nullopt;
    return id;
}

std::string make_entity_id(std::string_view serial, std::string_view key) {
    return "sensor.kamgw_" + id_part(std::string(serial) + "_" + std::string(key));
}

}  // namespace kamgw::ha_websocket
