// `kamgw run` with the plain mqtt sink against a real mosquitto 2: each register's exact value
// on its own retained topic, the gateway's availability with its last will, and one message
// per poll that survives a broker restart (every poll in the daemon's CSV arrives).
#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <set>

#include "tests/integration/daemon-sinks/mqtt_watcher.hpp"
#include "tests/integration/daemon-sinks/sink_daemon.hpp"
#include "tests/integration/mqtt/mqtt_harness.hpp"

namespace kamgw::test::daemon_sinks {
namespace {

constexpr auto kFirstPolls = 90s;
constexpr auto kArrival = 60s;
constexpr auto kRecovery = 120s;

std::string sink_table(std::uint16_t port, const std::string& extra = "") {
    return "[[sink]]\ntype = \"mqtt\"\nurl = \"mqtt://127.0.0.1:" + std::to_string(port) +
           "\"\nretry_initial = \"200ms\"\nretry_max = \"2s\"\n" + extra;
}

std::vector<std::string> payloads(const MqttWatcher& watcher, const std::string& topic) {
    std::vector<std::string> out;
    for (const auto& m : watcher.on(topic)) out.push_back(m.payload);
    return out;
}

// The literal text of `key`'s value in a poll message's readings (as written: 110.740, not 110.74).
std::string poll_value(const std::string& payload, const std::string& key) {
    const auto at = payload.find("\"key\":\"" + key + "\"");
    if (at == std::string::npos) return {};
    const auto value = payload.find("\"value\":", at);
    if (value == std::string::npos) return {};
    const auto begin = value + 8;
    return payload.substr(begin, payload.find_first_of(",}", begin) - begin);
}

bool is_poll(const std::string& payload, const CsvPoll& poll) {
    for (const auto& [key, text] : poll.values)
        if (poll_value(payload, key) != text) return false;
    return true;
}

// Pairs each CSV poll with a distinct poll message, in order; returns how many found theirs.
std::size_t count_polls_delivered(const std::vector<CsvPoll>& polls, const std::vector<std::string>& messages) {
    std::size_t found = 0, next = 0;
    for (const CsvPoll& poll : polls) {
        for (std::size_t i = next; i < messages.size(); ++i) {
            if (is_poll(messages[i], poll)) {
                ++found;
                next = i + 1;
                break;
            }
        }
    }
    return found;
}

TEST(MqttPlainDaemon, ExactValuesPerRegisterRetainedAndTheLastWill) {
    TempDir dir;
    mqtt_ha::test::Broker broker(dir);
    MqttWatcher watcher(broker.port(), {"kamgw/#"});
    SinkDaemon daemon(dir, {.serial = 5550201, .sink_toml = sink_table(broker.port())});
    const std::string base = "kamgw/" + daemon.settings().gateway_id;

    ASSERT_TRUE(daemon.wait_for_polls(3, kFirstPolls)) << daemon.log();
    const auto polls = daemon.polls();
    const std::vector<CsvPoll> first(polls.begin(), polls.begin() + 3);
    ASSERT_GE(first.front().values.size(), 5u);
    // Every register of the first three polls, in order, with the CSV's exact text.
    for (const auto& [key, text] : first.front().values) {
        const std::string topic = base + "/house/" + key;
        ASSERT_TRUE(wait_until([&] { return watcher.on(topic).size() >= 3; }, kArrival)) << topic << daemon.log();
        const auto seen = payloads(watcher, topic);
        for (std::size_t i = 0; i < 3; ++i) EXPECT_EQ(seen[i], first[i].values.at(key)) << topic << " poll " << i;
    }
    // Retained: a subscriber that comes later gets each register's latest value and "online".
    {
        MqttWatcher late(broker.port(), {base + "/#"});
        ASSERT_TRUE(wait_until([&] { return late.on(base + "/house/heat_energy").size() >= 1; }, kArrival));
        EXPECT_TRUE(late.on(base + "/house/heat_energy").front().retain);
        ASSERT_TRUE(late.wait_for(base + "/availability", 1, kArrival));
        EXPECT_EQ(late.last_on(base + "/availability")->payload, "online");
        EXPECT_TRUE(late.last_on(base + "/availability")->retain);
    }
    std::printf("[mqtt] %zu registers per poll on %s/house/<key>; heat_energy: %s\n", first.front().values.size(),
                base.c_str(), payloads(watcher, base + "/house/heat_energy").front().c_str());

    daemon.kill_hard();
    ASSERT_TRUE(wait_until([&] { return watcher.last_on(base + "/availability")->payload == "offline"; }, kArrival))
        << broker.log();
}

TEST(MqttPlainDaemon, OneMessagePerPollAndABrokerRestartLosesNone) {
    TempDir dir;
    mqtt_ha::test::Broker broker(dir);
    auto watcher = std::make_unique<MqttWatcher>(broker.port(), std::vector<std::string>{"kamgw/#"});
    SinkDaemon daemon(dir, {.serial = 5550202, .sink_toml = sink_table(broker.port(), "payload = \"poll\"\n")});
    const std::string topic = "kamgw/" + daemon.settings().gateway_id + "/house";

    ASSERT_TRUE(daemon.wait_for_polls(2, kFirstPolls)) << daemon.log();
    ASSERT_TRUE(
        wait_until([&] { return count_polls_delivered(daemon.polls(), payloads(*watcher, topic)) >= 2; }, kArrival))
        << daemon.log();

    const auto before = daemon.polls().size();
    broker.stop();
    ASSERT_TRUE(daemon.wait_for_polls(before + 3, kFirstPolls)) << daemon.log();
    broker.start();
    MqttWatcher fresh(broker.port(), {"kamgw/#"});
    const auto at_restart = daemon.polls().size();
    ASSERT_TRUE(daemon.wait_for_polls(at_restart + 2, kFirstPolls)) << daemon.log();
    const std::vector<CsvPoll> expected = daemon.polls();

    const auto received = [&] {
        std::set<std::string> distinct;
        for (const MqttWatcher* w : {watcher.get(), &fresh})
            for (const auto& p : payloads(*w, topic)) distinct.insert(p);
        std::vector<std::string> all(distinct.begin(), distinct.end());
        // Sorted by text is not poll order: order them by the poll time in each message.
        std::sort(all.begin(), all.end(), [](const std::string& a, const std::string& b) {
            return a.substr(a.find("\"time\":")) < b.substr(b.find("\"time\":"));
        });
        return all;
    };
    const bool all =
        wait_until([&] { return count_polls_delivered(expected, received()) == expected.size(); }, kRecovery);
    const auto messages = received();
    const auto delivered = count_polls_delivered(expected, messages);
    std::printf(
        "[mqtt] broker restart: %zu polls in the CSV (%zu while the broker was down), %zu distinct poll "
        "messages, %zu polls delivered\n",
        expected.size(), at_restart - before, messages.size(), delivered);
    EXPECT_TRUE(all) << daemon.log() << broker.log();
    EXPECT_EQ(delivered, expected.size());
}

}  // namespace
}  // namespace kamgw::test::daemon_sinks
