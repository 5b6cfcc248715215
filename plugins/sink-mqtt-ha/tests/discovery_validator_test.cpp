#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "plugins/sink-mqtt-ha/discovery_validator.hpp"
#include "plugins/sink-mqtt-ha/tests/discovery_forms.hpp"

namespace kamgw::mqtt_ha {
namespace {

using Json = nlohmann::json;

Json good_sensor() {
    return Json::parse(R"({
      "name": "Heat energy", "unique_id": "kamgw_1_heat_energy", "default_entity_id": "sensor.kamgw_1_heat_energy",
      "state_topic": "kamgw/gw/1/state", "value_template": "{{ value_json.heat_energy }}",
      "device_class": "energy", "state_class": "total_increasing", "unit_of_measurement": "GJ",
      "availability": [{"topic": "kamgw/gw/status"}, {"topic": "kamgw/gw/1/availability"}],
      "availability_mode": "all", "expire_after": 9000,
      "device": {"identifiers": ["kamgw_1"], "name": "house", "manufacturer": "Kamstrup", "serial_number": "1"},
      "origin": {"name": "kamgw", "sw_version": "0.1.0"}})");
}

bool mentions(const std::vector<std::string>& problems, std::string_view text) {
    for (const auto& p : problems)
        if (p.find(text) != std::string::npos) return true;
    return false;
}

TEST(MqttHaValidator, AcceptsAGoodSensor) {
    EXPECT_EQ(validate_discovery_config(good_sensor()), std::vector<std::string>{});
}

TEST(MqttHaValidator, RejectsTemperatureClassOnATemperatureDifference) {
    Json j = good_sensor();
    j["unique_id"] = "kamgw_1_t_diff";
    j["device_class"] = "temperature";
    j["state_class"] = "measurement";
    j["unit_of_measurement"] = "K";
    EXPECT_TRUE(mentions(validate_discovery_config(j), "temperature difference"));
    j["unit_of_measurement"] = "°C";  // caught by the key too
    EXPECT_TRUE(mentions(validate_discovery_config(j), "temperature difference"));
    j.erase("device_class");  // the right way: no class
    j["unit_of_measurement"] = "K";
    EXPECT_TRUE(validate_discovery_config(j).empty());
}

TEST(MqttHaValidator, RejectsLowercaseLitresPerHour) {
    Json j = good_sensor();
    j["device_class"] = "volume_flow_rate";
    j["state_class"] = "measurement";
    j["unit_of_measurement"] = "l/h";
    EXPECT_TRUE(mentions(validate_discovery_config(j), "unit 'l/h'"));
    j["unit_of_measurement"] = "L/h";
    EXPECT_TRUE(validate_discovery_config(j).empty());
}

TEST(MqttHaValidator, RejectsEnergyAsMeasurement) {
    Json j = good_sensor();
    j["state_class"] = "measurement";
    EXPECT_TRUE(mentions(validate_discovery_config(j), "state_class 'measurement'"));
}

TEST(MqttHaValidator, RejectsUnknownClassesAndUnits) {
    Json j = good_sensor();
    j["device_class"] = "heat";
    EXPECT_TRUE(mentions(validate_discovery_config(j), "unknown device_class 'heat'"));
    j = good_sensor();
    j["state_class"] = "sum";
    EXPECT_TRUE(mentions(validate_discovery_config(j), "unknown state_class"));
    j = good_sensor();
    j["unit_of_measurement"] = "m³";
    EXPECT_FALSE(validate_discovery_config(j).empty());
    j = good_sensor();
    j["device_class"] = "timestamp";
    EXPECT_FALSE(validate_discovery_config(j).empty());  // a timestamp takes no unit or state class
}

TEST(MqttHaValidator, RequiresKeysAndAStrictDevice) {
    Json j = good_sensor();
    j.erase("unique_id");
    EXPECT_TRUE(mentions(validate_discovery_config(j), "unique_id"));
    j = good_sensor();
    j.erase("state_topic");
    EXPECT_TRUE(mentions(validate_discovery_config(j), "state_topic"));
    j = good_sensor();
    j["device"]["colour"] = "red";
    EXPECT_TRUE(mentions(validate_discovery_config(j), "unknown key 'colour'"));
    j = good_sensor();
    j["device"].erase("identifiers");
    EXPECT_TRUE(mentions(validate_discovery_config(j), "identifiers"));
    j = good_sensor();
    j["state_topic"] = "kamgw/+/state";
    EXPECT_TRUE(mentions(validate_discovery_config(j), "state_topic"));
    j = good_sensor();
    j["default_entity_id"] = "sensor.Kamgw 1";
    EXPECT_TRUE(mentions(validate_discovery_config(j), "default_entity_id"));
}

TEST(MqttHaValidator, UnderstandsAbbreviations) {
    const Json j = Json::parse(R"({"uniq_id": "x", "stat_t": "a/b", "dev_cla": "energy", "stat_cla": "measurement",
                                   "unit_of_meas": "kWh", "dev": {"ids": ["x"], "sn": "1"}})");
    EXPECT_TRUE(mentions(validate_discovery_config(j), "state_class 'measurement'"));
}

using test::minimal;
using test::modern;

TEST(MqttHaValidator, OlderReleasesRefuseNewerDeviceKeysAndDropNewerTopLevelOnes) {
    const Json j = good_sensor();
    const auto old = validate_discovery_config(j, "sensor", minimal);
    EXPECT_TRUE(mentions(old, "serial_number"));
    // Unknown top-level keys are dropped by the discovery schema (REMOVE_EXTRA), not refused.
    EXPECT_FALSE(mentions(old, "origin"));
    EXPECT_FALSE(mentions(old, "default_entity_id"));
    EXPECT_TRUE(mentions(validate_discovery_config(j, "sensor", every_release_form()), "serial_number"));
    Json with_object_id = good_sensor();
    with_object_id.erase("default_entity_id");
    with_object_id["object_id"] = "kamgw_1_heat_energy";
    EXPECT_TRUE(mentions(validate_discovery_config(with_object_id), "object_id"));
    // The device's serial_number came in 2024.2 (mqtt/schemas.py), after modern's 2023.9.
    EXPECT_TRUE(mentions(validate_discovery_config(with_object_id, "sensor", modern), "serial_number"));
    with_object_id["device"].erase("serial_number");
    EXPECT_TRUE(validate_discovery_config(with_object_id, "sensor", modern).empty());
}

TEST(MqttHaValidator, DeviceClassesAndUnitsFollowTheRelease) {
    Json flow = good_sensor();
    flow["device_class"] = "volume_flow_rate";
    flow["state_class"] = "measurement";
    flow["unit_of_measurement"] = "L/h";
    EXPECT_TRUE(mentions(validate_discovery_config(flow, "sensor", minimal), "unknown before Home Assistant 2024.2"));
    EXPECT_TRUE(mentions(validate_discovery_config(flow, "sensor", modern), "unknown before Home Assistant 2024.2"));
    Json water = good_sensor();
    water["device_class"] = "water";
    water["unit_of_measurement"] = "m³";
    EXPECT_TRUE(mentions(validate_discovery_config(water, "sensor", minimal), "unknown before Home Assistant 2022.11"));
    Json gj = good_sensor();
    gj["unit_of_measurement"] = "GJ";
    EXPECT_TRUE(mentions(validate_discovery_config(gj, "sensor", minimal), "does not accept"));
    // For every release: GJ energy passes (2022.10 checked no units; 2025.7, which refuses wrong
    // units, has GJ), water and volume_flow_rate do not (2022.10 lacks them).
    EXPECT_TRUE(validate_discovery_config(gj, "sensor", every_release_form()).size() == 1u);  // serial_number
    EXPECT_TRUE(mentions(validate_discovery_config(water, "sensor", every_release_form()), "2022.11"));
    EXPECT_TRUE(mentions(validate_discovery_config(flow, "sensor", every_release_form()), "2024.2"));
}

TEST(MqttHaValidator, ChecksTopics) {
    const std::string payload = good_sensor().dump();
    EXPECT_TRUE(validate_discovery_message("homeassistant/sensor/kamgw_1/heat_energy/config", payload, "homeassistant")
                    .empty());
    EXPECT_TRUE(
        validate_discovery_message("homeassistant/sensor/heat_energy/config", payload, "homeassistant").empty());
    EXPECT_FALSE(validate_discovery_message("homeassistant/sensor/kamgw.1/heat_energy/config", payload, "homeassistant")
                     .empty());
    EXPECT_FALSE(validate_discovery_message("homeassistant/sensor/kamgw_1/heat energy/config", payload, "homeassistant")
                     .empty());
    EXPECT_FALSE(validate_discovery_message("other/sensor/kamgw_1/x/config", payload, "homeassistant").empty());
    EXPECT_FALSE(validate_discovery_message("homeassistant/sensor/a/b/c/config", payload, "homeassistant").empty());
    EXPECT_FALSE(validate_discovery_message("homeassistant/sensor/a/b/state", payload, "homeassistant").empty());
    EXPECT_TRUE(validate_discovery_message("homeassistant/sensor/kamgw_1/x/config", "", "homeassistant").empty());
    EXPECT_FALSE(validate_discovery_message("homeassistant/sensor/kamgw_1/x/config", "{", "homeassistant").empty());
}

TEST(MqttHaValidator, ChecksEveryComponentOfADeviceConfig) {
    Json d;
    d["device"] = {{"identifiers", {"kamgw_1"}}};
    d["origin"] = {{"name", "kamgw"}};
    Json bad = good_sensor();
    bad.erase("device");
    bad.erase("origin");
    bad["platform"] = "sensor";
    bad["state_class"] = "measurement";
    d["components"] = {{"heat_energy", bad}};
    const auto problems = validate_discovery_message("homeassistant/device/kamgw_1/config", d.dump(), "homeassistant");
    EXPECT_TRUE(mentions(problems, "component 'heat_energy'"));
    d.erase("origin");
    EXPECT_TRUE(mentions(validate_discovery_message("homeassistant/device/kamgw_1/config", d.dump(), "homeassistant"),
                         "origin"));
}

}  // namespace
}  // namespace kamgw::mqtt_ha
