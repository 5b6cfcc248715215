#include "plugins/sink-mqtt-ha/options.hpp"

#include <vector>

namespace kamgw::mqtt_ha {
namespace {

constexpr ConfigKey ha_keys[] = {
    {"retain", ConfigType::boolean, "true", false, "retain states and availability (discovery is always retained)"},
    {"discovery_prefix", ConfigType::string, "homeassistant", false, "Home Assistant's discovery prefix"},
    {"base_topic", ConfigType::string, "", false, "topic root for states; default kamgw/<gateway id>"},
    {"status_topic", ConfigType::string, "homeassistant/status", false,
     "Home Assistant's birth topic; 'online' there republishes discovery and states"},
    {"discovery", ConfigType::choice, "entity", false, "one config per entity, or one per device (HA 2024.11+)",
     "entity|device"},
    {"ha_compat", ConfigType::choice, "2025.10", false,
     "oldest Home Assistant to support: minimal (pre-2023), modern (2023.9+), 2025.10", "minimal|modern|2025.10"},
    {"gas_companion", ConfigType::boolean, "false", false,
     "also announce heat energy as a gas sensor in m³ (for the energy dashboard's gas section)"},
    {"support_url", ConfigType::string, "", false, "URL sent in the discovery origin block"},
};

std::string string_or(const ConfigTable& t, std::string_view key, std::string fallback) {
    return t.has(key) ? t.get_string(key) : std::move(fallback);
}
bool bool_or(const ConfigTable& t, std::string_view key, bool fallback) {
    return t.has(key) ? t.get_bool(key) : fallback;
}

}  // namespace

std::span<const ConfigKey> config_keys() {
    static const std::vector<ConfigKey> keys = mqtt::with_connection_keys(ha_keys);
    return keys;
}

Options options_from_config(const ConfigTable& t, const std::string& gateway_id) {
    Options o;
    static_cast<mqtt::ConnectionOptions&>(o) = mqtt::connection_from_config(t, "kamgw-" + id_safe(gateway_id));
    o.retain = bool_or(t, "retain", true);
    o.discovery_prefix = string_or(t, "discovery_prefix", "homeassistant");
    o.base_topic = string_or(t, "base_topic", "kamgw/" + topic_safe(gateway_id));
    o.status_topic = string_or(t, "status_topic", "homeassistant/status");
    for (const std::string* topic : {&o.discovery_prefix, &o.base_topic, &o.status_topic}) {
        if (topic->empty() || topic->find_first_of("+#") != std::string::npos || topic->back() == '/')
            throw ConfigError("topic '" + *topic + "' must be non-empty, without '+', '#' or a trailing '/'");
    }
    const std::string mode = string_or(t, "discovery", "entity");
    if (mode == "entity")
        o.discovery = DiscoveryMode::entity;
    else if (mode == "device")
        o.discovery = DiscoveryMode::device;
    else
        throw ConfigError("discovery must be entity or device, not '" + mode + "'");
    const std::string compat = string_or(t, "ha_compat", "2025.10");
    if (compat == "minimal")
        o.compat = HaCompat::minimal;
    else if (compat == "modern")
        o.compat = HaCompat::modern;
    else if (compat == "2025.10")
        o.compat = HaCompat::v2025_10;
    else
        throw ConfigError("ha_compat must be minimal, modern or 2025.10, not '" + compat + "'");
    if (o.discovery == DiscoveryMode::device && o.compat == HaCompat::minimal)
        throw ConfigError(
            "discovery = \"device\" needs Home Assistant 2024.11 or later; use ha_compat = \"modern\" "
            "or \"2025.10\", or discovery = \"entity\"");
    o.gas_companion = bool_or(t, "gas_companion", false);
    o.support_url = string_or(t, "support_url", "");
    return o;
}

}  // namespace kamgw::mqtt_ha
