// Discovery messages for one MULTICAL 403, pinned in golden files per discovery form and
// discovery mode. KAMGW_UPDATE_GOLDEN=1 rewrites the files (review the diff before committing).
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "plugins/sink-mqtt-ha/discovery.hpp"
#include "plugins/sink-mqtt-ha/discovery_validator.hpp"
#include "plugins/sink-mqtt-ha/tests/discovery_forms.hpp"
#include "plugins/sink-mqtt-ha/tests/mc403_batch.hpp"

namespace kamgw::mqtt_ha {
namespace {

using test::minimal;
using test::modern;
using test::v2025_10;

Options options(DiscoveryForm form, DiscoveryMode mode = DiscoveryMode::entity, bool gas = false) {
    Options o;
    o.base_topic = "kamgw/boiler-room";
    o.form = form;
    o.discovery = mode;
    o.gas_companion = gas;
    o.support_url = "https://example.org/kamgw";
    return o;
}

const GatewayInfo gateway{"boiler-room", "0.1.0"};

MeterContext context() {
    MeterContext c;
    c.interval = std::chrono::hours(1);
    // t_forward etc. were not asked for by name (e.g. added by a default list): disabled.
    c.configured_keys = {"heat_energy", "volume", "flow", "power", "t_diff", "hour_counter", "info", "max_flow_date_y"};
    return c;
}

nlohmann::ordered_json as_golden(const std::vector<MqttMessage>& messages) {
    auto out = nlohmann::ordered_json::array();
    for (const auto& m : messages) {
        nlohmann::ordered_json e;
        e["topic"] = m.topic;
        e["retain"] = m.retain;
        e["payload"] = m.payload.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json::parse(m.payload);
        out.push_back(std::move(e));
    }
    return out;
}

void expect_golden(const std::string& name, const std::vector<MqttMessage>& messages) {
    const std::string path = std::string(MQTT_HA_GOLDEN_DIR) + "/" + name;
    const auto actual = as_golden(messages);
    if (const char* update = std::getenv("KAMGW_UPDATE_GOLDEN"); update && std::string(update) == "1") {
        std::ofstream(path) << actual.dump(2) << '\n';
        GTEST_SKIP() << "rewrote " << path;
    }
    std::ifstream in(path);
    ASSERT_TRUE(in) << "missing golden file " << path;
    std::stringstream text;
    text << in.rdbuf();
    const auto expected = nlohmann::ordered_json::parse(text.str());
    EXPECT_EQ(expected, actual) << "expected:\n" << expected.dump(2) << "\nactual:\n" << actual.dump(2);
}

void expect_all_valid(const Options& o, const std::vector<MqttMessage>& messages) {
    for (const auto& m : messages) {
        const auto problems = validate_discovery_message(m.topic, m.payload, o.discovery_prefix, o.form);
        EXPECT_TRUE(problems.empty()) << m.topic << ": " << (problems.empty() ? "" : problems.front());
    }
}

TEST(MqttHaDiscoveryGolden, Mc403Minimal) {
    const Options o = options(minimal);
    const auto messages = meter_discovery(o, gateway, test::mc403_batch(), context());
    expect_all_valid(o, messages);
    expect_golden("mc403_minimal.json", messages);
}

TEST(MqttHaDiscoveryGolden, Mc403Modern) {
    const Options o = options(modern);
    const auto messages = meter_discovery(o, gateway, test::mc403_batch(), context());
    expect_all_valid(o, messages);
    expect_golden("mc403_modern.json", messages);
}

TEST(MqttHaDiscoveryGolden, Mc403EveryRelease) {
    const Options o = options(every_release_form());
    const auto messages = meter_discovery(o, gateway, test::mc403_batch(), context());
    expect_all_valid(o, messages);
    expect_golden("mc403_every_release.json", messages);
}

// The default form: what every release accepts, with the newest's top-level keys (older
// releases drop unknown ones), no device serial_number, and only device classes that the
// oldest release knows with units that every release refusing wrong units has.
TEST(MqttHaDiscovery, EveryReleaseFormKeepsWhatNoReleaseRefuses) {
    const Options o = options(every_release_form());
    std::map<std::string, nlohmann::json> by_topic;
    for (const auto& m : meter_discovery(o, gateway, test::mc403_batch(), context())) {
        const auto j = nlohmann::json::parse(m.payload);
        by_topic[m.topic] = j;
        EXPECT_TRUE(j.contains("origin")) << m.topic;
        EXPECT_TRUE(j.contains("default_entity_id")) << m.topic;
        EXPECT_FALSE(j.contains("object_id")) << m.topic;
        EXPECT_FALSE(j["device"].contains("serial_number")) << m.topic;
        EXPECT_NE(j.value("device_class", ""), "volume_flow_rate") << m.topic;
        EXPECT_NE(j.value("device_class", ""), "water") << m.topic;
    }
    // GJ: Home Assistant 2022.10 creates the entity (it checked no units then), 2025.7 on has GJ.
    EXPECT_EQ(by_topic.at("homeassistant/sensor/kamgw_12345678/heat_energy/config")["device_class"], "energy");
    EXPECT_EQ(by_topic.at("homeassistant/sensor/kamgw_12345678/volume/config")["device_class"], "volume");
    EXPECT_FALSE(by_topic.at("homeassistant/sensor/kamgw_12345678/flow/config").contains("device_class"));
}

TEST(MqttHaDiscoveryGolden, Mc403Ha202510WithGasCompanion) {
    const Options o = options(v2025_10, DiscoveryMode::entity, true);
    const auto messages = meter_discovery(o, gateway, test::mc403_batch(), context());
    expect_all_valid(o, messages);
    expect_golden("mc403_2025_10.json", messages);
}

TEST(MqttHaDiscoveryGolden, Mc403DeviceDiscovery) {
    const Options o = options(v2025_10, DiscoveryMode::device);
    const auto messages = meter_discovery(o, gateway, test::mc403_batch(), context());
    ASSERT_EQ(messages.size(), 1u);
    EXPECT_EQ(messages[0].topic, "homeassistant/device/kamgw_12345678/config");
    expect_all_valid(o, messages);
    expect_golden("mc403_device_2025_10.json", messages);
}

TEST(MqttHaDiscoveryGolden, Gateway) {
    const Options o = options(v2025_10);
    const auto messages = gateway_discovery(o, gateway);
    expect_all_valid(o, messages);
    expect_golden("gateway_2025_10.json", messages);
}

// The properties the golden files encode, asserted directly so a careless golden update
// cannot hide a regression in what matters most.
TEST(MqttHaDiscovery, KeyPropertiesOfTheMc403Configs) {
    const Options o = options(v2025_10, DiscoveryMode::entity, true);
    std::map<std::string, nlohmann::json> by_topic;
    for (const auto& m : meter_discovery(o, gateway, test::mc403_batch(), context())) {
        EXPECT_TRUE(m.retain) << m.topic;
        by_topic[m.topic] = nlohmann::json::parse(m.payload);
    }
    const auto& t_diff = by_topic.at("homeassistant/sensor/kamgw_12345678/t_diff/config");
    EXPECT_FALSE(t_diff.contains("device_class"));
    EXPECT_EQ(t_diff["unit_of_measurement"], "K");
    const auto& flow = by_topic.at("homeassistant/sensor/kamgw_12345678/flow/config");
    EXPECT_EQ(flow["unit_of_measurement"], "L/h");
    EXPECT_EQ(flow["device_class"], "volume_flow_rate");
    const auto& energy = by_topic.at("homeassistant/sensor/kamgw_12345678/heat_energy/config");
    EXPECT_EQ(energy["unit_of_measurement"], "GJ");
    EXPECT_EQ(energy["state_class"], "total_increasing");
    EXPECT_EQ(energy["unique_id"], "kamgw_12345678_heat_energy");
    EXPECT_EQ(energy["default_entity_id"], "sensor.kamgw_12345678_heat_energy");
    EXPECT_EQ(energy["suggested_display_precision"], 3);
    EXPECT_EQ(energy["expire_after"], 9000);
    EXPECT_EQ(energy["availability_mode"], "all");
    EXPECT_EQ(energy["device"]["via_device"], "kamgw_boiler-room");
    EXPECT_EQ(energy["device"]["model"], "MULTICAL 403");
    const auto& gas = by_topic.at("homeassistant/sensor/kamgw_12345678/heat_energy_gas/config");
    EXPECT_EQ(gas["device_class"], "gas");
    EXPECT_EQ(gas["unit_of_measurement"], "m³");
    EXPECT_EQ(gas["value_template"], "{{ value_json.heat_energy }}");
    const auto& date = by_topic.at("homeassistant/sensor/kamgw_12345678/max_flow_date_y/config");
    EXPECT_EQ(date["device_class"], "timestamp");
    EXPECT_FALSE(date.contains("unit_of_measurement"));
    const auto& info = by_topic.at("homeassistant/sensor/kamgw_12345678/info/config");
    EXPECT_EQ(info["entity_category"], "diagnostic");
    EXPECT_EQ(info["json_attributes_topic"], "kamgw/boiler-room/12345678/info/attributes");
    EXPECT_FALSE(info.contains("state_class"));
    EXPECT_EQ(by_topic.at("homeassistant/sensor/kamgw_12345678/t_forward/config")["enabled_by_default"], false);
    const auto& button = by_topic.at("homeassistant/button/kamgw_12345678/read_now/config");
    EXPECT_EQ(button["command_topic"], "kamgw/boiler-room/12345678/read_now/set");
}

TEST(MqttHaDiscovery, MinimalDropsWhatOldReleasesReject) {
    const Options o = options(minimal);
    for (const auto& m : meter_discovery(o, gateway, test::mc403_batch(), context())) {
        const auto j = nlohmann::json::parse(m.payload);
        EXPECT_FALSE(j.contains("origin")) << m.topic;
        EXPECT_FALSE(j.contains("default_entity_id")) << m.topic;
        EXPECT_FALSE(j.contains("suggested_display_precision")) << m.topic;
        EXPECT_FALSE(j["device"].contains("serial_number")) << m.topic;
        EXPECT_NE(j.value("device_class", ""), "volume_flow_rate") << m.topic;
        EXPECT_TRUE(j.contains("object_id")) << m.topic;
    }
}

TEST(MqttHaDiscovery, UnidentifiedMeterIsNotAnnounced) {
    EXPECT_TRUE(meter_discovery(options(v2025_10), gateway, test::mc403_batch(""), context()).empty());
}

TEST(MqttHaDiscovery, ExpireAfterIsTwoAndAHalfPolls) {
    EXPECT_EQ(expire_after_seconds(std::chrono::seconds(3600)), 9000);
    EXPECT_EQ(expire_after_seconds(std::chrono::seconds(61)), 153);
    EXPECT_EQ(expire_after_seconds(std::chrono::seconds(0)), 3);
}

}  // namespace
}  // namespace kamgw::mqtt_ha
