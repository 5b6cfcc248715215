#include "plugins/sink-mqtt-ha/discovery.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "kamgw/home_assistant.hpp"
#include "plugins/sink-mqtt-ha/entity_presentation.hpp"
#include "plugins/sink-mqtt-ha/topics.hpp"

namespace kamgw::mqtt_ha {
namespace {

using OrderedJson = nlohmann::ordered_json;

// Entity ids are lowercase letters, digits and '_' only.
std::string entity_slug(std::string_view text) {
    std::string out = id_safe(text);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        if (c == '-') c = '_';
    }
    return out;
}

struct Entity {
    std::string component;  // "sensor", "button"
    std::string object_id;  // the last topic level and the key inside `components`
    OrderedJson config;     // without device and origin
};

OrderedJson origin_block(const Options& o, const GatewayInfo& g) {
    OrderedJson j;
    j["name"] = "kamgw";
    j["sw_version"] = g.version;
    if (!o.support_url.empty()) j["support_url"] = o.support_url;
    return j;
}

OrderedJson meter_device_block(const Options& o, const GatewayInfo& g, const MeterIdentity& m) {
    OrderedJson j;
    j["identifiers"] = OrderedJson::array({device_node_id(m.serial)});
    j["name"] = m.name.empty() ? "Kamstrup " + m.serial : m.name;
    j["manufacturer"] = "Kamstrup";
    if (!m.model.empty()) j["model"] = m.model;
    if (device_serial_number(o.form)) j["serial_number"] = m.serial;
    if (!m.firmware.empty()) j["sw_version"] = m.firmware;
    j["via_device"] = device_node_id(g.id);
    return j;
}

OrderedJson gateway_device_block(const Options& o, const GatewayInfo& g) {
    (void)o;
    OrderedJson j;
    j["identifiers"] = OrderedJson::array({device_node_id(g.id)});
    j["name"] = "kamgw " + g.id;
    j["manufacturer"] = "kamgw";
    j["model"] = "Kamstrup meter gateway";
    j["sw_version"] = g.version;
    return j;
}

// object_id until 2025.10, default_entity_id from then on (object_id stops working in 2026.4).
void add_entity_id(OrderedJson& j, const Options& o, std::string_view platform, const std::string& object) {
    if (default_entity_id(o.form))
        j["default_entity_id"] = std::string(platform) + "." + object;
    else
        j["object_id"] = object;
}

std::string value_template(std::string_view key) { return "{{ value_json." + std::string(key) + " }}"; }

OrderedJson meter_availability(const Options& o, const std::string& serial) {
    return OrderedJson::array(
        {OrderedJson{{"topic", gateway_status_topic(o)}}, OrderedJson{{"topic", meter_availability_topic(o, serial)}}});
}

bool configured(const MeterContext& m, std::string_view key) {
    return m.configured_keys.empty() ||
           std::find(m.configured_keys.begin(), m.configured_keys.end(), key) != m.configured_keys.end();
}

Entity sensor_entity(const Options& o, const ReadingBatch& b, const MeterContext& m, const Reading& r,
                     const EntityPresentation& p, std::string_view key, std::string_view name,
                     std::string_view value_key) {
    const std::string& serial = b.meter.serial;
    const std::string object = entity_slug("kamgw_" + serial + "_" + std::string(key));
    OrderedJson j;
    j["name"] = std::string(name);
    j["unique_id"] = "kamgw_" + serial + "_" + std::string(key);
    add_entity_id(j, o, "sensor", object);
    j["state_topic"] = meter_state_topic(o, serial);
    j["value_template"] = value_template(value_key);
    if (!p.device_class.empty()) j["device_class"] = p.device_class;
    if (!p.state_class.empty()) j["state_class"] = p.state_class;
    if (!p.unit.empty()) j["unit_of_measurement"] = p.unit;
    if (p.display_precision >= 0 && origin_and_precision(o.form))
        j["suggested_display_precision"] = p.display_precision;
    if (!p.entity_category.empty()) j["entity_category"] = p.entity_category;
    if (!configured(m, r.key)) j["enabled_by_default"] = false;
    if (!p.icon.empty()) j["icon"] = p.icon;
    if (p.attributes) j["json_attributes_topic"] = meter_attributes_topic(o, serial, r.key);
    j["availability"] = meter_availability(o, serial);
    j["availability_mode"] = "all";
    j["expire_after"] = expire_after_seconds(m.interval);
    j["qos"] = o.qos;
    return {"sensor", id_safe(key), std::move(j)};
}

Entity read_now_button(const Options& o, const ReadingBatch& b) {
    const std::string& serial = b.meter.serial;
    OrderedJson j;
    j["name"] = "Read now";
    j["unique_id"] = "kamgw_" + serial + "_read_now";
    add_entity_id(j, o, "button", entity_slug("kamgw_" + serial + "_read_now"));
    j["command_topic"] = read_now_command_topic(o, serial);
    j["payload_press"] = "PRESS";
    j["icon"] = "mdi:refresh";
    // Only the gateway's availability: a read is worth asking for exactly when the meter
    // seems unreachable.
    j["availability"] = OrderedJson::array({OrderedJson{{"topic", gateway_status_topic(o)}}});
    j["qos"] = o.qos;
    return {"button", "read_now", std::move(j)};
}

std::vector<MqttMessage> render(const Options& o, const GatewayInfo& g, const std::string& node,
                                const OrderedJson& device, std::vector<Entity> entities) {
    std::vector<MqttMessage> out;
    if (o.discovery == DiscoveryMode::device) {
        OrderedJson j;
        j["device"] = device;
        j["origin"] = origin_block(o, g);
        OrderedJson components = OrderedJson::object();
        for (auto& e : entities) {
            OrderedJson c;
            c["platform"] = e.component;
            for (auto& [k, v] : e.config.items()) c[k] = v;
            components[e.object_id] = std::move(c);
        }
        j["components"] = std::move(components);
        j["qos"] = o.qos;
        out.push_back({o.discovery_prefix + "/device/" + node + "/config", j.dump(), true});
        return out;
    }
    for (auto& e : entities) {
        OrderedJson& j = e.config;
        j["device"] = device;
        if (origin_and_precision(o.form)) j["origin"] = origin_block(o, g);
        out.push_back(
            {o.discovery_prefix + "/" + e.component + "/" + node + "/" + e.object_id + "/config", j.dump(), true});
    }
    return out;
}

}  // namespace

std::int64_t expire_after_seconds(std::chrono::seconds interval) {
    const auto s = std::max<std::int64_t>(interval.count(), 1);
    return (s * 5 + 1) / 2;  // 2.5 polls, rounded up
}

std::vector<MqttMessage> meter_discovery(const Options& o, const GatewayInfo& g, const ReadingBatch& b,
                                         const MeterContext& m) {
    if (b.meter.serial.empty()) return {};
    std::vector<Entity> entities;
    for (const Reading& r : b.readings) {
        const EntityPresentation p = present(r, o.form);
        entities.push_back(sensor_entity(o, b, m, r, p, r.key, r.name.empty() ? r.key : r.name, r.key));
        if (o.gas_companion && (r.key == "heat_energy" || r.register_id == 60)) {
            EntityPresentation gas = p;
            gas.device_class = "gas";
            gas.state_class = "total_increasing";
            gas.unit = "m³";
            gas.icon = "mdi:gas-burner";
            gas.attributes = false;
            entities.push_back(sensor_entity(o, b, m, r, gas, r.key + "_gas", "Heat energy as gas", r.key));
        }
    }
    entities.push_back(read_now_button(o, b));
    return render(o, g, device_node_id(b.meter.serial), meter_device_block(o, g, b.meter), std::move(entities));
}

std::vector<MqttMessage> gateway_discovery(const Options& o, const GatewayInfo& g) {
    OrderedJson j;
    j["name"] = "Version";
    j["unique_id"] = device_node_id(g.id) + "_version";
    add_entity_id(j, o, "sensor", entity_slug(device_node_id(g.id) + "_version"));
    j["state_topic"] = gateway_state_topic(o);
    j["value_template"] = value_template("version");
    j["entity_category"] = "diagnostic";
    j["icon"] = "mdi:information-outline";
    j["availability"] = OrderedJson::array({OrderedJson{{"topic", gateway_status_topic(o)}}});
    j["qos"] = o.qos;
    std::vector<Entity> entities;
    entities.push_back({"sensor", "version", std::move(j)});
    return render(o, g, device_node_id(g.id), gateway_device_block(o, g), std::move(entities));
}

MqttMessage gateway_state(const Options& o, const GatewayInfo& g) {
    return {gateway_state_topic(o), OrderedJson{{"version", g.version}}.dump(), true};
}

MqttMessage discovery_removal(const std::string& topic) { return {topic, "", true}; }

}  // namespace kamgw::mqtt_ha
