// The mqtt-ha plugin against a real mosquitto: discovery and states arrive retained, Home
// Assistant's birth message brings everything again, "Read now" reaches the core, and a
// register removed from the configuration loses its entity after a restart.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "plugins/sink-mqtt-ha/discovery_validator.hpp"
#include "plugins/sink-mqtt-ha/tests/mc403_batch.hpp"
#include "tests/integration/mqtt/mqtt_harness.hpp"

namespace kamgw::mqtt_ha::test {
namespace {

using namespace std::chrono_literals;
namespace kt = kamgw::test;

const std::string energy_config = "homeassistant/sensor/kamgw_12345678/heat_energy/config";
const std::string state_topic = "kamgw/testgw/12345678/state";

ConfigTable sink_config(std::uint16_t port) {
    ConfigTable t;
    t.set("url", "mqtt://127.0.0.1:" + std::to_string(port));
    t.set("publish_timeout", std::chrono::milliseconds(5000));
    return t;
}

// Whether the broker holds (or soon gets) this availability for the meter.
bool availability_becomes(const Broker& broker, const std::string& payload) {
    const std::string topic = "kamgw/testgw/12345678/availability";
    Recorder watch(broker.port(), {topic});
    return kt::wait_until(
        [&] {
            auto m = watch.last_on(topic);
            return m && m->payload == payload;
        },
        10s);
}

class MqttHaIntegration : public ::testing::Test {
protected:
    kt::TempDir dir;
    LoadedPlugin plugin;
};

TEST_F(MqttHaIntegration, DiscoveryAndStatesArriveRetainedAndValid) {
    Broker broker(dir);
    TestHost host(sink_config(broker.port()), dir / "state", house_meter());
    auto sink = plugin.make();
    sink->start(host);
    const ReadingBatch batch = mc403_batch();
    ASSERT_EQ(write_until_done(*sink, {&batch, 1}, 20s).code, WriteResult::Code::ok);
    MeterStatus status;
    status.meter = batch.meter;
    status.health = MeterHealth::ok;
    sink->status(status);
    // status() publishes in the background: wait until the broker holds the availability, or the
    // later subscriber below may receive it live, which MQTT delivers without the retain flag.
    ASSERT_TRUE(availability_becomes(broker, "online"));

    // A subscriber that arrives later (Home Assistant after a restart) gets everything retained.
    Recorder later(broker.port(), {"homeassistant/#", "kamgw/#"});
    ASSERT_TRUE(later.wait_for("kamgw/testgw/12345678/availability", 1, 10s));
    ASSERT_TRUE(later.wait_for(state_topic, 1, 10s));
    const auto messages = later.messages();
    std::size_t configs = 0;
    for (const auto& m : messages) {
        EXPECT_TRUE(m.retain) << m.topic;
        if (m.topic.starts_with("homeassistant/")) {
            ++configs;
            EXPECT_TRUE(validate_discovery_message(m.topic, m.payload, "homeassistant").empty()) << m.topic;
        }
    }
    // 10 sensors + the Read now button + the gateway's version sensor.
    EXPECT_EQ(configs, 12u);
    const auto energy = later.last_on(energy_config);
    ASSERT_TRUE(energy);
    EXPECT_EQ(nlohmann::json::parse(energy->payload)["unit_of_measurement"], "GJ");
    const auto state = later.last_on(state_topic);
    ASSERT_TRUE(state);
    // The exact decimal text the meter sent, not a double's rendering of it.
    EXPECT_NE(state->payload.find(R"("heat_energy":1234.567,)"), std::string::npos) << state->payload;
    EXPECT_NE(state->payload.find(R"("t_return":40.10,)"), std::string::npos) << state->payload;
    EXPECT_EQ(later.last_on("kamgw/testgw/status")->payload, "online");
    EXPECT_EQ(later.last_on("kamgw/testgw/12345678/availability")->payload, "online");
    EXPECT_EQ(nlohmann::json::parse(later.last_on("kamgw/testgw/gateway")->payload)["version"], "0.1.0");
    ASSERT_TRUE(later.last_on("kamgw/testgw/12345678/info/attributes"));

    // A meter that stops answering turns its entities unavailable.
    status.health = MeterHealth::no_answer;
    sink->status(status);
    ASSERT_TRUE(availability_becomes(broker, "offline"));

    // A clean stop says the gateway is offline.
    sink->stop();
    Recorder status_watch(broker.port(), {"kamgw/testgw/status"});
    ASSERT_TRUE(status_watch.wait_for("kamgw/testgw/status", 1, 10s));
    EXPECT_EQ(status_watch.last_on("kamgw/testgw/status")->payload, "offline");
}

TEST_F(MqttHaIntegration, BirthMessageRepublishesDiscoveryThenStates) {
    Broker broker(dir);
    TestHost host(sink_config(broker.port()), dir / "state", house_meter());
    auto sink = plugin.make();
    sink->start(host);
    const ReadingBatch batch = mc403_batch();
    ASSERT_EQ(write_until_done(*sink, {&batch, 1}, 20s).code, WriteResult::Code::ok);

    Recorder ha(broker.port(), {energy_config, state_topic});
    ASSERT_TRUE(ha.wait_for(state_topic, 1, 10s));  // the retained copies
    ASSERT_EQ(ha.on(energy_config).size(), 1u);
    ha.publish("homeassistant/status", "online");
    ASSERT_TRUE(idle_until(
        *sink, [&] { return ha.on(state_topic).size() >= 2; }, 15s));
    EXPECT_EQ(ha.on(energy_config).size(), 2u);
    // Discovery first, the states only after the pause.
    const auto all = ha.messages();
    std::size_t config_index = 0, state_index = 0;
    for (std::size_t i = 0; i < all.size(); ++i) {
        if (all[i].topic == energy_config) config_index = i;
        if (all[i].topic == state_topic) state_index = i;
    }
    EXPECT_LT(config_index, state_index);
    EXPECT_EQ(ha.on(state_topic).back().payload, ha.on(state_topic).front().payload);
    // Other payloads on the birth topic do nothing.
    ha.publish("homeassistant/status", "offline");
    idle_until(
        *sink, [] { return false; }, 3s);
    EXPECT_EQ(ha.on(energy_config).size(), 2u);
    sink->stop();
}

TEST_F(MqttHaIntegration, ReadNowButtonReachesTheCore) {
    Broker broker(dir);
    TestHost host(sink_config(broker.port()), dir / "state", house_meter());
    auto sink = plugin.make();
    sink->start(host);
    const ReadingBatch batch = mc403_batch();
    ASSERT_EQ(write_until_done(*sink, {&batch, 1}, 20s).code, WriteResult::Code::ok);
    Recorder ha(broker.port(), {"homeassistant/button/#"});
    ASSERT_TRUE(ha.wait_for("homeassistant/button/kamgw_12345678/read_now/config", 1, 10s));
    const auto button = nlohmann::json::parse(ha.on("homeassistant/button/kamgw_12345678/read_now/config")[0].payload);
    ha.publish(button["command_topic"], button["payload_press"]);
    ASSERT_TRUE(kt::wait_until([&] { return !host.read_requests().empty(); }, 10s));
    EXPECT_EQ(host.read_requests(), std::vector<std::string>{"house"});
    EXPECT_TRUE(
        kt::wait_until([&] { return host.logger.count("'Read now' from Home Assistant for meter 'house'") == 1; }, 5s));
    ha.publish("kamgw/testgw/99999999/read_now/set", "PRESS");  // not a meter of ours
    EXPECT_TRUE(kt::wait_until([&] { return host.logger.count("unknown meter serial '99999999'") == 1; }, 5s));
    EXPECT_EQ(host.read_requests().size(), 1u);
    sink->stop();
}

TEST_F(MqttHaIntegration, RemovedRegisterLosesItsEntityAfterARestart) {
    Broker broker(dir);
    const ReadingBatch full = mc403_batch();
    {
        TestHost host(sink_config(broker.port()), dir / "state", house_meter());
        auto sink = plugin.make();
        sink->start(host);
        ASSERT_EQ(write_until_done(*sink, {&full, 1}, 20s).code, WriteResult::Code::ok);
        sink->stop();
    }
    const std::string power_config = "homeassistant/sensor/kamgw_12345678/power/config";
    {
        Recorder check(broker.port(), {power_config});
        ASSERT_TRUE(check.wait_for(power_config, 1, 10s));
    }
    // The user removed "power" from the meter's registers and restarted kamgw.
    ReadingBatch reduced = full;
    std::erase_if(reduced.readings, [](const Reading& r) { return r.key == "power"; });
    auto meters = house_meter();
    std::erase(meters[0].register_keys, std::string("power"));
    TestHost host(sink_config(broker.port()), dir / "state", meters);
    auto sink = plugin.make();
    sink->start(host);
    ASSERT_EQ(write_until_done(*sink, {&reduced, 1}, 20s).code, WriteResult::Code::ok);
    EXPECT_EQ(host.logger.count("removing " + power_config), 1u);

    // The retained config is gone from the broker; the others are still there.
    Recorder after(broker.port(), {"homeassistant/sensor/kamgw_12345678/+/config"});
    ASSERT_TRUE(after.wait_for(energy_config, 1, 10s));
    kt::wait_until([] { return false; }, 500ms);  // let every retained message arrive
    EXPECT_TRUE(after.on(power_config).empty());
    EXPECT_EQ(after.messages().size(), 9u);
    sink->stop();
}

}  // namespace
}  // namespace kamgw::mqtt_ha::test
