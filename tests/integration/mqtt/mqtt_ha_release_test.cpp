// mqtt-ha and Home Assistant's release, against a real mosquitto and the fake Home Assistant's
// MQTT discovery model: the default form creates every entity on the oldest and the newest
// supported release; with ha_url the sink asks the release and writes for it, and a birth
// message after an update rewrites the configs; a refused token leaves the every-release form.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "plugins/sink-mqtt-ha/tests/mc403_batch.hpp"
#include "tests/fixtures/fake-home-assistant/fake_home_assistant.hpp"
#include "tests/fixtures/fake-home-assistant/fake_mqtt_discovery.hpp"
#include "tests/integration/mqtt/mqtt_harness.hpp"

namespace kamgw::mqtt_ha::test {
namespace {

using namespace std::chrono_literals;
namespace kt = kamgw::test;

const std::string energy_topic = "homeassistant/sensor/kamgw_12345678/heat_energy/config";
// 10 sensors + the Read now button + the gateway's version sensor (mc403_batch).
constexpr std::size_t all_entities = 12;

ConfigTable base_config(std::uint16_t port) {
    ConfigTable t;
    t.set("url", "mqtt://127.0.0.1:" + std::to_string(port));
    t.set("publish_timeout", std::chrono::milliseconds(5000));
    return t;
}

// The newest retained config per topic, as Home Assistant gets them when it subscribes.
std::map<std::string, std::string> retained_configs(const Broker& broker) {
    Recorder ha(broker.port(), {"homeassistant/#"});
    EXPECT_TRUE(ha.wait_for(energy_topic, 1, 10s));
    kt::wait_until([&] { return ha.messages().size() >= all_entities; }, 5s);
    std::map<std::string, std::string> out;
    for (const auto& m : ha.messages())
        if (!m.payload.empty()) out[m.topic] = m.payload;
    return out;
}

// How many of the configs this release creates an entity for; the refusals go to the test log.
std::size_t created_on(const std::map<std::string, std::string>& configs, const std::string& version) {
    std::size_t created = 0;
    for (const auto& [topic, payload] : configs) {
        const auto why = kt::fake_ha::mqtt_discovery_refusal(topic, payload, version);
        if (!why)
            ++created;
        else
            std::cout << "  " << version << " refuses " << topic << ": " << *why << "\n";
    }
    return created;
}

class MqttHaRelease : public ::testing::Test {
protected:
    kt::TempDir dir;
    LoadedPlugin plugin;

    // Starts the sink and delivers one poll of the MULTICAL 403.
    auto start_with_one_poll(TestHost& host) {
        auto sink = plugin.make();
        sink->start(host);
        const ReadingBatch batch = mc403_batch();
        EXPECT_EQ(write_until_done(*sink, {&batch, 1}, 20s).code, WriteResult::Code::ok);
        return sink;
    }
};

TEST_F(MqttHaRelease, DefaultFormCreatesEveryEntityOnEverySupportedRelease) {
    Broker broker(dir);
    TestHost host(base_config(broker.port()), dir / "state", house_meter());
    auto sink = start_with_one_poll(host);
    const auto configs = retained_configs(broker);
    ASSERT_EQ(configs.size(), all_entities);
    for (const char* version : {"2022.10.5", "2022.11.0", "2023.9.0", "2024.2.0", "2025.7.0", "2026.7.3"})
        EXPECT_EQ(created_on(configs, version), all_entities) << version;
    // Said once, with what the form leaves out.
    EXPECT_EQ(host.logger.count("release is unknown (no ha_url)"), 1u);
    sink->stop();
}

TEST_F(MqttHaRelease, TheNewestFormLosesEntitiesOnTheOldestRelease) {
    // The fake's model refuses what Home Assistant 2022.10 refused in the field: serial_number in
    // the device block and a device class it lacks.
    Broker broker(dir);
    ConfigTable config = base_config(broker.port());
    config.set("ha_compat", std::string("2025.10"));
    TestHost host(std::move(config), dir / "state", house_meter());
    auto sink = start_with_one_poll(host);
    const auto configs = retained_configs(broker);
    EXPECT_EQ(created_on(configs, "2026.7.3"), all_entities);
    EXPECT_LT(created_on(configs, "2022.10.5"), 3u);
    sink->stop();
}

TEST_F(MqttHaRelease, AskedReleaseShapesTheConfigsAndABirthAfterAnUpdateRewritesThem) {
    Broker broker(dir);
    kt::FakeHaSettings settings;
    settings.version = "2022.10.5";
    kt::FakeHomeAssistant ha(settings);
    ConfigTable config = base_config(broker.port());
    config.set("ha_url", ha.url());
    config.set("ha_token", std::string("good-token"));
    TestHost host(std::move(config), dir / "state", house_meter());
    auto sink = start_with_one_poll(host);
    auto configs = retained_configs(broker);
    EXPECT_EQ(created_on(configs, "2022.10.5"), all_entities);
    auto energy = nlohmann::json::parse(configs.at(energy_topic));
    EXPECT_TRUE(energy.contains("object_id")) << energy.dump();
    EXPECT_FALSE(energy["device"].contains("serial_number"));
    EXPECT_EQ(host.logger.count("Home Assistant 2022.10.5 at"), 1u);

    // Home Assistant is updated and restarts: its birth message makes the sink ask again.
    ha.set_version("2025.11.1");
    Recorder watch(broker.port(), {energy_topic});
    ASSERT_TRUE(watch.wait_for(energy_topic, 1, 10s));
    watch.publish("homeassistant/status", "online");
    ASSERT_TRUE(idle_until(
        *sink,
        [&] {
            const auto last = watch.last_on(energy_topic);
            return last && last->payload.find("serial_number") != std::string::npos;
        },
        15s));
    configs = retained_configs(broker);
    EXPECT_EQ(created_on(configs, "2025.11.1"), all_entities);
    energy = nlohmann::json::parse(configs.at(energy_topic));
    EXPECT_EQ(energy["device"]["serial_number"], "12345678");
    EXPECT_EQ(energy["default_entity_id"], "sensor.kamgw_12345678_heat_energy");
    EXPECT_FALSE(energy.contains("object_id"));
    EXPECT_EQ(host.logger.count("discovery written for 2025.11"), 1u);
    sink->stop();
}

TEST_F(MqttHaRelease, RefusedTokenKeepsTheEveryReleaseFormAndSaysSoOnce) {
    Broker broker(dir);
    kt::FakeHomeAssistant ha;
    ConfigTable config = base_config(broker.port());
    config.set("ha_url", ha.url());
    config.set("ha_token", std::string("wrong-token"));
    TestHost host(std::move(config), dir / "state", house_meter());
    auto sink = start_with_one_poll(host);
    const auto configs = retained_configs(broker);
    EXPECT_EQ(created_on(configs, "2022.10.5"), all_entities);
    EXPECT_EQ(created_on(configs, "2025.11.1"), all_entities);
    // A birth asks again; the refusal is logged as a warning once, never with the token.
    Recorder birth(broker.port(), {"homeassistant/status"});
    birth.publish("homeassistant/status", "online");
    idle_until(
        *sink, [] { return false; }, 3s);
    EXPECT_EQ(host.logger.count("refused ha_token (401)"), 2u);
    EXPECT_EQ(host.logger.count("warn: cannot learn"), 1u);
    EXPECT_EQ(host.logger.count("wrong-token"), 0u);
    sink->stop();
}

}  // namespace
}  // namespace kamgw::mqtt_ha::test
