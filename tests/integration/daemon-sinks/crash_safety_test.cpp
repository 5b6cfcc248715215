// kill -9 of `kamgw run` at random moments while its hubs are away, then while they come
// back: every poll the daemon journaled (its CSV record) reaches a real influxd and a real
// mosquitto, none is lost, and the duplicates that at-least-once delivery allows are counted.
//
// The hubs go away the way they do for a user: influxd is stopped, and mosquitto becomes
// unreachable (the daemon reaches it through a TCP relay, which is killed), while a watcher
// stays connected to mosquitto itself and records every state message the daemon publishes.
// Each test is one seed: where the kills fall is random but repeatable.
#include <gtest/gtest.h>
#include <signal.h>

#include <cstdio>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "tests/integration/daemon-sinks/influx_points.hpp"
#include "tests/integration/daemon-sinks/mqtt_states.hpp"
#include "tests/integration/daemon-sinks/mqtt_watcher.hpp"
#include "tests/integration/daemon-sinks/sink_daemon.hpp"
#include "tests/integration/influxdb/influxd_server.hpp"
#include "tests/integration/mqtt/mqtt_harness.hpp"
#include "tests/support/network.hpp"

namespace kamgw::test::daemon_sinks {
namespace {

constexpr int kKillsPerSeed = 10;
constexpr auto kArrival = 120s;

// A TCP relay to mosquitto that can be cut like a network link: killing socat's whole process
// group also ends the connections its forked children carry.
class Relay {
public:
    Relay(const TempDir& dir, std::uint16_t target)
        : port_(free_port()),
          process_({"socat", "TCP-LISTEN:" + std::to_string(port_) + ",bind=127.0.0.1,reuseaddr,fork",
                    "TCP:127.0.0.1:" + std::to_string(target)},
                   dir / "relay.log") {
        EXPECT_TRUE(wait_for_port(port_, 10s));
    }
    ~Relay() { cut(); }
    void open() {
        process_.start();
        EXPECT_TRUE(wait_for_port(port_, 10s));
    }
    void cut() {
        if (process_.pid() > 0) ::kill(-process_.pid(), SIGKILL);
        process_.kill_hard();
    }
    [[nodiscard]] std::uint16_t port() const { return port_; }

private:
    std::uint16_t port_;
    ChildProcess process_;
};

std::string sinks_toml(const influxdb::test::InfluxdServer& influx, std::uint16_t mqtt_port) {
    return "[[sink]]\ntype = \"influxdb\"\nurl = \"" + influx.url() +
           "\"\ndatabase = \"kamstrup\"\nprecision = \"ms\"\nflush_interval = \"200ms\"\nretry_initial = "
           "\"100ms\"\nretry_max = \"500ms\"\n\n[[sink]]\ntype = \"mqtt-ha\"\nurl = \"mqtt://127.0.0.1:" +
           std::to_string(mqtt_port) + "\"\nretry_initial = \"100ms\"\nretry_max = \"500ms\"\n";
}

class CrashSafety : public ::testing::TestWithParam<unsigned> {};

TEST_P(CrashSafety, KillNineDuringAnOutageLosesNothingJournaled) {
    const unsigned seed = GetParam();
    std::mt19937 rng(seed);
    auto pause = [&](int min_ms, int max_ms) {
        std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(min_ms, max_ms)(rng)));
    };

    TempDir dir;
    std::filesystem::create_directories(dir / "influx");
    influxdb::test::InfluxdServer influx(dir / "influx");
    influx.execute("CREATE DATABASE kamstrup");
    mqtt_ha::test::Broker broker(dir);
    MqttWatcher watcher(broker.port(), {"kamgw/#"});
    ASSERT_TRUE(watcher.wait_subscribed(1, 30s));
    Relay relay(dir, broker.port());
    SinkDaemon daemon(dir, {.serial = 5550300 + seed,
                            .interval = "1s",
                            .sink_toml = sinks_toml(influx, relay.port()),
                            .meter_options = "&pace=false"});
    ASSERT_TRUE(daemon.wait_for_polls(2, 60s)) << daemon.log();

    // Both hubs away; the first two thirds of the kills fall in the outage, the rest while the
    // backlog drains.
    influx.stop();
    relay.cut();
    for (int kill = 0; kill < kKillsPerSeed; ++kill) {
        if (kill == kKillsPerSeed * 2 / 3) {
            influx.start();
            relay.open();
        }
        pause(200, 2500);
        daemon.kill_hard();
        pause(0, 300);
        daemon.start();
    }

    // Running again with both hubs back: everything journaled arrives.
    ASSERT_TRUE(daemon.wait_for_polls(daemon.polls().size() + 2, 60s)) << daemon.log();
    const std::string state_topic = "kamgw/" + daemon.settings().gateway_id + "/" + daemon.serial() + "/state";
    auto all_arrived = [&] {
        const auto polls = distinct_polls(daemon.polls());
        return count_missing(csv_points(polls), influx_points(influx, "house"), nullptr) == 0 &&
               count_delivered(polls, distinct_states({&watcher}, state_topic)) == polls.size();
    };
    const bool arrived = wait_until(all_arrived, kArrival);
    EXPECT_EQ(daemon.stop(), 0) << daemon.log();

    const auto rows = daemon.polls();
    const auto polls = distinct_polls(rows);
    const auto stored = influx_points(influx, "house");
    const auto states = distinct_states({&watcher}, state_topic);
    std::string influx_missing, mqtt_missing;
    const std::size_t lost_influx = count_missing(csv_points(polls), stored, &influx_missing);
    const std::size_t lost_mqtt = polls.size() - count_delivered(polls, states, &mqtt_missing);
    std::printf(
        "[crash-safety] seed %u: %d kills, %zu polls journaled, lost %zu influx points and %zu mqtt states; "
        "duplicates: %zu csv polls, %zu mqtt state messages\n",
        seed, kKillsPerSeed, polls.size(), lost_influx, lost_mqtt, rows.size() - polls.size(),
        watcher.on(state_topic).size() - states.size());
    EXPECT_TRUE(arrived);
    EXPECT_EQ(lost_influx, 0u) << influx_missing << daemon.log();
    EXPECT_EQ(lost_mqtt, 0u) << mqtt_missing << daemon.log();
    EXPECT_GE(polls.size(), 4u);
}

INSTANTIATE_TEST_SUITE_P(Seeds, CrashSafety, ::testing::Values(1u, 2u, 3u, 4u, 5u));

}  // namespace
}  // namespace kamgw::test::daemon_sinks
