// `kamgw run` with the mqtt-ha sink against a real mosquitto 2: what Home Assistant would see
// (retained discovery that passes the sink's validator, exact state values, the gateway's last
// will when the daemon dies, discovery again on HA's birth message) and that a broker restart
// loses no reading (every poll in the daemon's CSV arrives as an MQTT state).
#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>

#include "plugins/sink-mqtt-ha/discovery_validator.hpp"
#include "tests/integration/daemon-sinks/mqtt_watcher.hpp"
#include "tests/integration/daemon-sinks/sink_daemon.hpp"
#include "tests/integration/daemon-sinks/mqtt_states.hpp"
#include "tests/integration/mqtt/mqtt_harness.hpp"

namespace kamgw::test::daemon_sinks {
namespace {

// Generous: a loaded 2-core machine runs several of these daemons and brokers at once.
constexpr auto kFirstPolls = 90s;
constexpr auto kArrival = 60s;
// After ~6 s down, libmosquitto's next attempt (1 s, 4 s, 9 s, … backoff) plus the lane's
// retry (at most 2 s here) are due well within this.
constexpr auto kRecovery = 120s;

std::string sink_table(std::uint16_t port) {
    return "[[sink]]\ntype = \"mqtt-ha\"\nurl = \"mqtt://127.0.0.1:" + std::to_string(port) +
           "\"\nretry_initial = \"200ms\"\nretry_max = \"2s\"\n";
}

std::string first_of(const nlohmann::json& config, const char* full, const char* abbreviated) {
    if (config.contains(full)) return config[full].get<std::string>();
    if (config.contains(abbreviated)) return config[abbreviated].get<std::string>();
    return {};
}

TEST(MqttHaDaemon, DiscoveryStatesBirthAndLastWill) {
    TempDir dir;
    mqtt_ha::test::Broker broker(dir);
    MqttWatcher watcher(broker.port(), {"homeassistant/#", "kamgw/#"});
    SinkDaemon daemon(dir, {.serial = 5550101, .sink_toml = sink_table(broker.port())});
    const std::string serial = daemon.serial();
    const std::string base = "kamgw/" + daemon.settings().gateway_id;
    const std::string state_topic = base + "/" + serial + "/state";

    ASSERT_TRUE(daemon.wait_for_polls(3, kFirstPolls)) << daemon.log();
    const auto first = daemon.polls().front();
    ASSERT_GE(first.values.size(), 5u);

    // Discovery: one sensor config per register read, valid, pointing at the meter's state.
    for (const auto& [key, value] : first.values) {
        const std::string topic = "homeassistant/sensor/kamgw_" + serial + "/" + key + "/config";
        ASSERT_TRUE(watcher.wait_for(topic, 1, kArrival)) << topic << "\n" << daemon.log();
        const auto payload = watcher.last_on(topic)->payload;
        const auto problems = mqtt_ha::validate_discovery_message(topic, payload, "homeassistant");
        EXPECT_TRUE(problems.empty()) << topic << ": " << (problems.empty() ? "" : problems.front());
        const auto config = nlohmann::json::parse(payload);
        EXPECT_EQ(first_of(config, "unique_id", "uniq_id"), "kamgw_" + serial + "_" + key);
        EXPECT_EQ(first_of(config, "state_topic", "stat_t"), state_topic);
    }
    // Retained: a client that subscribes now still gets every config (and the gateway online).
    {
        MqttWatcher late(broker.port(), {"homeassistant/sensor/kamgw_" + serial + "/+/config", base + "/status"});
        ASSERT_TRUE(wait_until(
            [&] { return late.starting_with("homeassistant/sensor/").size() >= first.values.size(); }, kArrival));
        for (const auto& m : late.starting_with("homeassistant/sensor/")) EXPECT_TRUE(m.retain) << m.topic;
        ASSERT_TRUE(late.wait_for(base + "/status", 1, kArrival));
        EXPECT_EQ(late.last_on(base + "/status")->payload, "online");
        EXPECT_TRUE(late.last_on(base + "/status")->retain);
    }

    // States: the first three polls, each with exactly the CSV's decimals.
    const auto so_far = daemon.polls();
    const std::vector<CsvPoll> polls(so_far.begin(), so_far.begin() + 3);
    std::string missing;
    ASSERT_TRUE(
        wait_until([&] { return count_delivered(polls, distinct_states({&watcher}, state_topic)) == 3; }, kArrival))
        << (count_delivered(polls, distinct_states({&watcher}, state_topic), &missing), missing) << daemon.log();
    const auto example = watcher.last_on(state_topic)->payload;
    std::printf("[mqtt] %zu discovery configs valid and retained; state example: %s\n", first.values.size(),
                example.c_str());

    // Home Assistant's birth message: discovery is published again.
    const std::string heat_config = "homeassistant/sensor/kamgw_" + serial + "/heat_energy/config";
    const auto configs_before = watcher.on(heat_config).size();
    watcher.publish("homeassistant/status", "online");
    EXPECT_TRUE(watcher.wait_for(heat_config, configs_before + 1, kArrival)) << daemon.log();

    // kill -9: no goodbye, so the broker publishes the retained last will.
    ASSERT_EQ(watcher.last_on(base + "/status")->payload, "online");
    daemon.kill_hard();
    ASSERT_TRUE(wait_until([&] { return watcher.last_on(base + "/status")->payload == "offline"; }, kArrival))
        << broker.log();
    MqttWatcher after(broker.port(), {base + "/status"});
    ASSERT_TRUE(after.wait_for(base + "/status", 1, kArrival));
    EXPECT_EQ(after.last_on(base + "/status")->payload, "offline");
    EXPECT_TRUE(after.last_on(base + "/status")->retain);
}

TEST(MqttHaDaemon, BrokerRestartLosesNoReading) {
    TempDir dir;
    mqtt_ha::test::Broker broker(dir);
    auto watcher = std::make_unique<MqttWatcher>(broker.port(), std::vector<std::string>{"kamgw/#"});
    SinkDaemon daemon(dir, {.serial = 5550102, .sink_toml = sink_table(broker.port())});
    const std::string state_topic = "kamgw/" + daemon.settings().gateway_id + "/" + daemon.serial() + "/state";

    ASSERT_TRUE(daemon.wait_for_polls(2, kFirstPolls)) << daemon.log();
    ASSERT_TRUE(wait_until(
        [&] { return count_delivered(daemon.polls(), distinct_states({watcher.get()}, state_topic)) >= 2; }, kArrival))
        << daemon.log();

    // The broker goes away while the daemon keeps polling: at least three polls in the dark.
    const auto before = daemon.polls().size();
    broker.stop();
    ASSERT_TRUE(daemon.wait_for_polls(before + 3, kFirstPolls)) << daemon.log();
    broker.start();
    // A fresh subscriber at once, so whatever the daemon sends after its reconnect is seen even
    // if it beats the old watcher's own reconnect.
    MqttWatcher fresh(broker.port(), {"kamgw/#"});
    const auto at_restart = daemon.polls().size();

    // Every poll up to the restart, and two more after it, arrives as its own state message.
    ASSERT_TRUE(daemon.wait_for_polls(at_restart + 2, kFirstPolls)) << daemon.log();
    const std::vector<CsvPoll> expected = daemon.polls();
    std::string missing;
    const bool all = wait_until(
        [&] {
            return count_delivered(expected, distinct_states({watcher.get(), &fresh}, state_topic)) == expected.size();
        },
        kRecovery);
    const auto states = distinct_states({watcher.get(), &fresh}, state_topic);
    const auto delivered = count_delivered(expected, states, &missing);
    std::printf(
        "[mqtt] broker restart: %zu polls in the CSV (%zu while the broker was down), %zu state messages "
        "received (%zu distinct), %zu polls delivered\n",
        expected.size(), at_restart - before, watcher->on(state_topic).size() + fresh.on(state_topic).size(),
        states.size(), delivered);
    EXPECT_TRUE(all) << "not delivered:\n" << missing << daemon.log() << broker.log();
    EXPECT_EQ(delivered, expected.size());
    EXPECT_GE(at_restart - before, 3u);
}

}  // namespace
}  // namespace kamgw::test::daemon_sinks
