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
    {"ha_compat", ConfigType::string, "auto", false,
     "Home Assistant release to write discovery for: auto (asked at ha_url, else a form every release since "
     "2022.10 accepts), a release such as 2024.2, minimal (2022.10), modern (2023.9)"},
    {"ha_url", ConfigType::string, "", false,
     "Home Assistant's address (http://host:8123), asked for its release at start and at every birth message"},
    {"ha_token", ConfigType::secret, "", false, "long-lived access token for ha_url (also ha_token_file)"},
    {"ha_ca_file", ConfigType::path, "", false, "CA certificate(s) for an https:// ha_url; default: the system store"},
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

// "auto" is none: the sink finds the release out, or writes for every release.
std::optional<HaRelease> compat_release(const std::string& text) {
    if (text == "auto") return std::nullopt;
    if (text == "minimal") return oldest_supported_ha;
    if (text == "modern") return HaRelease{2023, 9};
    const HaRelease r = ha_release(text);
    const std::string accepted = "auto, minimal, modern, or a Home Assistant release from 2022.10 on such as 2024.2";
    if (!r.known()) throw ConfigError("ha_compat '" + text + "' is not one of " + accepted);
    if (!r.at_least(oldest_supported_ha))
        throw ConfigError("ha_compat '" + text + "' is older than the oldest supported release; use " + accepted);
    return r;
}

}  // namespace

std::string form_name(DiscoveryForm f) {
    if (f.every_release) return "every release since 2022.10";
    if (!f.release.known()) return "the newest release";
    return std::to_string(f.release.year) + "." + std::to_string(f.release.month);
}

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
    o.compat = compat_release(string_or(t, "ha_compat", "auto"));
    if (o.discovery == DiscoveryMode::device && o.compat && !o.compat->at_least(device_discovery_since))
        throw ConfigError("discovery = \"device\" needs Home Assistant 2024.11 or later, not ha_compat " +
                          form_name(form_for(*o.compat)) + "; use discovery = \"entity\"");
    // Device-based discovery is for 2024.11 on anyway: it needs no form for older releases.
    if (o.compat)
        o.form = form_for(*o.compat);
    else
        o.form = o.discovery == DiscoveryMode::device ? form_for(device_discovery_since) : every_release_form();
    o.ha_url = string_or(t, "ha_url", "");
    o.ha_token = string_or(t, "ha_token", "");
    o.ha_ca_file = string_or(t, "ha_ca_file", "");
    if (!o.ha_url.empty() && !o.ha_url.starts_with("http://") && !o.ha_url.starts_with("https://"))
        throw ConfigError("ha_url '" + o.ha_url + "': expected http://host:8123 or https://host");
    if (!o.ha_url.empty() && o.ha_token.empty())
        throw ConfigError("ha_url needs ha_token (or ha_token_file): Home Assistant answers /api/config only with one");
    if (o.ha_url.empty() && !o.ha_token.empty()) throw ConfigError("ha_token is set but ha_url is not");
    o.gas_companion = bool_or(t, "gas_companion", false);
    o.support_url = string_or(t, "support_url", "");
    return o;
}

}  // namespace kamgw::mqtt_ha
