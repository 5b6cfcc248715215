#include "plugins/sink-mqtt-ha/discovery_validator.hpp"

#include <algorithm>
#include <array>
#include <utility>

#include "kamgw/home_assistant.hpp"

namespace kamgw::mqtt_ha {
namespace {

using Json = nlohmann::json;
using Problems = std::vector<std::string>;

// Home Assistant's abbreviations for the keys this validator reads (abbreviations.py).
constexpr std::array<std::pair<std::string_view, std::string_view>, 24> abbreviations = {{
    {"avty", "availability"},
    {"avty_mode", "availability_mode"},
    {"avty_t", "availability_topic"},
    {"cmd_t", "command_topic"},
    {"cmps", "components"},
    {"def_ent_id", "default_entity_id"},
    {"dev", "device"},
    {"dev_cla", "device_class"},
    {"en", "enabled_by_default"},
    {"ent_cat", "entity_category"},
    {"exp_aft", "expire_after"},
    {"json_attr_t", "json_attributes_topic"},
    {"lrst_val_tpl", "last_reset_value_template"},
    {"o", "origin"},
    {"obj_id", "object_id"},
    {"ops", "options"},
    {"p", "platform"},
    {"stat_cla", "state_class"},
    {"stat_t", "state_topic"},
    {"sug_dsp_prc", "suggested_display_precision"},
    {"t", "topic"},
    {"uniq_id", "unique_id"},
    {"unit_of_meas", "unit_of_measurement"},
    {"val_tpl", "value_template"},
}};
constexpr std::array<std::pair<std::string_view, std::string_view>, 12> device_abbreviations = {{
    {"cns", "connections"},
    {"cu", "configuration_url"},
    {"hw", "hw_version"},
    {"ids", "identifiers"},
    {"mdl", "model"},
    {"mdl_id", "model_id"},
    {"mf", "manufacturer"},
    {"sa", "suggested_area"},
    {"sn", "serial_number"},
    {"sw", "sw_version"},
    {"via_hub", "via_device"},
    {"name", "name"},
}};
constexpr std::string_view device_keys[] = {
    "identifiers", "connections",   "name",           "manufacturer",      "model",     "model_id", "hw_version",
    "sw_version",  "serial_number", "suggested_area", "configuration_url", "via_device"};
constexpr std::string_view origin_keys[] = {"name", "sw_version", "support_url"};

template <std::size_t N>
Json expand(const Json& in, const std::array<std::pair<std::string_view, std::string_view>, N>& table) {
    if (!in.is_object()) return in;
    Json out = Json::object();
    for (const auto& [k, v] : in.items()) {
        std::string key = k;
        for (const auto& [abbr, full] : table)
            if (k == abbr) key = std::string(full);
        out[key] = v;
    }
    return out;
}

bool is_id_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

bool valid_publish_topic(std::string_view t) {
    return !t.empty() && t.find_first_of("+#") == std::string_view::npos && t.find('\0') == std::string_view::npos;
}

void check_string(const Json& j, std::string_view key, bool required, Problems& p) {
    const auto it = j.find(std::string(key));
    if (it == j.end()) {
        if (required) p.push_back("missing required key '" + std::string(key) + "'");
        return;
    }
    if (!it->is_string() || it->get<std::string>().empty())
        p.push_back("'" + std::string(key) + "' must be a non-empty string");
}

void check_topic(const Json& j, std::string_view key, bool required, Problems& p) {
    const std::size_t before = p.size();
    check_string(j, key, required, p);
    if (p.size() != before || !j.contains(std::string(key))) return;
    if (!valid_publish_topic(j[std::string(key)].get<std::string>()))
        p.push_back("'" + std::string(key) + "' is not a valid topic (no '+' or '#')");
}

void check_device(const Json& raw, DiscoveryForm form, Problems& p) {
    if (!raw.is_object()) {
        p.push_back("'device' must be an object");
        return;
    }
    const Json d = expand(raw, device_abbreviations);
    for (const auto& [k, v] : d.items()) {
        if (std::find(std::begin(device_keys), std::end(device_keys), k) == std::end(device_keys))
            p.push_back("device: unknown key '" + k + "' (Home Assistant rejects the entity)");
    }
    const auto ids = d.find("identifiers");
    const bool has_ids = ids != d.end() &&
                         ((ids->is_string() && !ids->get<std::string>().empty()) || (ids->is_array() && !ids->empty()));
    if (!has_ids && !d.contains("connections")) p.push_back("device: needs 'identifiers' or 'connections'");
    if (!device_serial_number(form) && d.contains("serial_number"))
        p.push_back("device: 'serial_number' is rejected by Home Assistant before 2024.2 (written for " +
                    form_name(form) + ")");
}

void check_origin(const Json& raw, Problems& p) {
    const Json o = expand(raw, std::array<std::pair<std::string_view, std::string_view>, 2>{
                                   {{"sw", "sw_version"}, {"url", "support_url"}}});
    if (!o.is_object()) {
        p.push_back("'origin' must be an object");
        return;
    }
    for (const auto& [k, v] : o.items())
        if (std::find(std::begin(origin_keys), std::end(origin_keys), k) == std::end(origin_keys))
            p.push_back("origin: unknown key '" + k + "'");
    if (!o.contains("name") || !o["name"].is_string()) p.push_back("origin: 'name' is required");
}

void check_availability(const Json& j, Problems& p) {
    if (j.contains("availability") && j.contains("availability_topic"))
        p.push_back("'availability' and 'availability_topic' exclude each other");
    if (j.contains("availability")) {
        const Json& a = j["availability"];
        if (!a.is_array() || a.empty()) {
            p.push_back("'availability' must be a non-empty list");
        } else {
            for (const auto& entry : a) {
                const Json e = expand(entry, abbreviations);
                if (!e.is_object() || !e.contains("topic") || !e["topic"].is_string() ||
                    !valid_publish_topic(e["topic"].get<std::string>()))
                    p.push_back("every 'availability' entry needs a valid 'topic'");
            }
        }
    }
    if (j.contains("availability_topic")) check_topic(j, "availability_topic", false, p);
    if (j.contains("availability_mode")) {
        const auto& m = j["availability_mode"];
        if (!m.is_string() || (m != "all" && m != "any" && m != "latest"))
            p.push_back("'availability_mode' must be all, any or latest");
    }
}

// A temperature difference: kamgw's register key for ΔT, or a kelvin reading (Kamstrup meters
// report absolute temperatures in °C and only differences in K).
bool looks_like_temperature_difference(const Json& j, std::string_view unit) {
    if (unit == "K") return true;
    for (const char* key : {"unique_id", "value_template"}) {
        if (j.contains(key) && j[key].is_string() && j[key].get<std::string>().find("t_diff") != std::string::npos)
            return true;
    }
    return false;
}

void check_sensor_classes(const Json& j, DiscoveryForm form, Problems& p) {
    std::string dc_name, sc_name, unit;
    if (j.contains("device_class")) {
        if (!j["device_class"].is_string())
            p.push_back("'device_class' must be a string");
        else
            dc_name = j["device_class"].get<std::string>();
    }
    if (j.contains("state_class")) {
        if (!j["state_class"].is_string())
            p.push_back("'state_class' must be a string");
        else
            sc_name = j["state_class"].get<std::string>();
    }
    if (j.contains("unit_of_measurement")) {
        if (!j["unit_of_measurement"].is_string())
            p.push_back("'unit_of_measurement' must be a string");
        else
            unit = j["unit_of_measurement"].get<std::string>();
    }
    std::optional<HaDeviceClass> dc = HaDeviceClass::none;
    if (!dc_name.empty()) {
        dc = ha_device_class_from_name(dc_name);
        if (!dc) p.push_back("unknown device_class '" + dc_name + "'");
    }
    std::optional<HaStateClass> sc = HaStateClass::none;
    if (!sc_name.empty()) {
        sc = ha_state_class_from_name(sc_name);
        if (!sc) p.push_back("unknown state_class '" + sc_name + "'");
    }
    if (!dc || !sc) return;
    // For every release: the oldest must know the class, and every release that refuses a unit
    // its class lacks must have this one.
    const HaRelease class_release = form.every_release ? oldest_supported_ha : form.release;
    const HaRelease unit_release = form.every_release ? mqtt_refuses_wrong_units_since : form.release;
    if (*dc != HaDeviceClass::none && !class_release.at_least(ha_device_class_since(*dc))) {
        const HaRelease since = ha_device_class_since(*dc);
        p.push_back("device_class '" + dc_name + "' is unknown before Home Assistant " + std::to_string(since.year) +
                    "." + std::to_string(since.month) + " (Home Assistant rejects the entity)");
    } else if (*dc != HaDeviceClass::none && !ha_accepts(*dc, *sc, unit, unit_release)) {
        p.push_back("device_class '" + dc_name + "' does not accept " +
                    (sc_name.empty() ? std::string("no state_class") : "state_class '" + sc_name + "'") + " with " +
                    (unit.empty() ? std::string("no unit") : "unit '" + unit + "'"));
    }
    if (*dc == HaDeviceClass::temperature && looks_like_temperature_difference(j, unit))
        p.push_back(
            "a temperature difference must not have device_class 'temperature' (Home Assistant would "
            "convert it like an absolute temperature)");
    if (j.contains("options") && dc_name != "enum") p.push_back("'options' needs device_class 'enum'");
    if (j.contains("last_reset_value_template") && *sc != HaStateClass::total)
        p.push_back("'last_reset_value_template' needs state_class 'total'");
    if (j.contains("suggested_display_precision")) {
        const auto& v = j["suggested_display_precision"];
        if (!v.is_number_integer() || v.get<long long>() < 0)
            p.push_back("'suggested_display_precision' must be a non-negative integer");
    }
    if (j.contains("expire_after") &&
        (!j["expire_after"].is_number_integer() || j["expire_after"].get<long long>() <= 0))
        p.push_back("'expire_after' must be a positive number of seconds");
}

// Releases before 2025.10 drop default_entity_id like any unknown top-level key.
void check_entity_id(const Json& j, std::string_view component, DiscoveryForm form, Problems& p) {
    if (j.contains("default_entity_id")) {
        const auto& v = j["default_entity_id"];
        const std::string prefix = std::string(component) + ".";
        bool ok =
            v.is_string() && v.get<std::string>().starts_with(prefix) && v.get<std::string>().size() > prefix.size();
        if (ok) {
            for (char c : v.get<std::string>().substr(prefix.size()))
                ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_');
        }
        if (!ok) p.push_back("'default_entity_id' must be '" + prefix + "<lowercase letters, digits, _>'");
    }
    if (j.contains("object_id") && !form.every_release && default_entity_id(form))
        p.push_back("'object_id' is deprecated from Home Assistant 2025.10 (use default_entity_id)");
}

}  // namespace

std::vector<std::string> validate_discovery_config(const nlohmann::json& raw, std::string_view component,
                                                   DiscoveryForm form) {
    Problems p;
    if (!raw.is_object()) return {"the config must be a JSON object"};
    const Json j = expand(raw, abbreviations);
    check_string(j, "unique_id", true, p);
    if (j.contains("name") && !j["name"].is_string() && !j["name"].is_null())
        p.push_back("'name' must be a string or null");
    if (component == "sensor") {
        check_topic(j, "state_topic", true, p);
        check_sensor_classes(j, form, p);
    } else if (component == "button") {
        check_topic(j, "command_topic", true, p);
    } else {
        p.push_back("component '" + std::string(component) + "' is not one kamgw publishes");
    }
    if (j.contains("json_attributes_topic")) check_topic(j, "json_attributes_topic", false, p);
    if (j.contains("entity_category")) {
        const auto& c = j["entity_category"];
        if (!c.is_string() || (c != "diagnostic" && c != "config"))
            p.push_back("'entity_category' must be diagnostic or config");
        else if (c == "config" && component == "sensor")
            p.push_back("a sensor cannot have entity_category 'config'");
    }
    if (j.contains("enabled_by_default") && !j["enabled_by_default"].is_boolean())
        p.push_back("'enabled_by_default' must be true or false");
    if (j.contains("qos") && (!j["qos"].is_number_integer() || j["qos"].get<int>() < 0 || j["qos"].get<int>() > 2))
        p.push_back("'qos' must be 0, 1 or 2");
    check_entity_id(j, component, form, p);
    check_availability(j, p);
    if (j.contains("device")) check_device(j["device"], form, p);
    // Releases before 2023.9 drop origin like any unknown top-level key.
    if (j.contains("origin")) check_origin(j["origin"], p);
    return p;
}

std::vector<std::string> validate_discovery_message(std::string_view topic, std::string_view payload,
                                                    std::string_view prefix, DiscoveryForm form) {
    Problems p;
    // <prefix>/<component>/[<node_id>/]<object_id>/config, ids from [a-zA-Z0-9_-] only.
    std::vector<std::string_view> levels;
    if (!topic.starts_with(prefix) || topic.size() <= prefix.size() || topic[prefix.size()] != '/')
        return {"topic '" + std::string(topic) + "' is not under the discovery prefix '" + std::string(prefix) + "'"};
    std::string_view rest = topic.substr(prefix.size() + 1);
    while (true) {
        const auto slash = rest.find('/');
        levels.push_back(rest.substr(0, slash));
        if (slash == std::string_view::npos) break;
        rest.remove_prefix(slash + 1);
    }
    if (levels.size() < 3 || levels.size() > 4 || levels.back() != "config")
        return {"topic '" + std::string(topic) + "' is not <prefix>/<component>/[<node_id>/]<object_id>/config"};
    for (std::size_t i = 0; i + 1 < levels.size(); ++i) {
        if (levels[i].empty() || !std::all_of(levels[i].begin(), levels[i].end(), is_id_char))
            return {"topic level '" + std::string(levels[i]) + "' may only hold letters, digits, '_' and '-'"};
    }
    if (payload.empty()) return p;  // a removal
    const Json j = Json::parse(payload, nullptr, false);
    if (j.is_discarded()) return {"the payload is not valid JSON"};
    const std::string_view component = levels[0];
    if (component != "device") return validate_discovery_config(j, component, form);

    const Json d = expand(j, abbreviations);
    if (!d.contains("device"))
        p.push_back("a device config needs 'device'");
    else
        check_device(d["device"], form, p);
    if (!d.contains("origin"))
        p.push_back("a device config needs 'origin'");
    else
        check_origin(d["origin"], p);
    if (!d.contains("components") || !d["components"].is_object() || d["components"].empty()) {
        p.push_back("a device config needs a non-empty 'components' object");
        return p;
    }
    for (const auto& [id, raw_component] : d["components"].items()) {
        if (id.empty() || !std::all_of(id.begin(), id.end(), is_id_char))
            p.push_back("component id '" + id + "' may only hold letters, digits, '_' and '-'");
        const Json c = expand(raw_component, abbreviations);
        if (!c.is_object() || !c.contains("platform") || !c["platform"].is_string()) {
            p.push_back("component '" + id + "' needs a 'platform'");
            continue;
        }
        for (const std::string& problem : validate_discovery_config(c, c["platform"].get<std::string>(), form))
            p.push_back("component '" + id + "': " + problem);
    }
    return p;
}

}  // namespace kamgw::mqtt_ha
