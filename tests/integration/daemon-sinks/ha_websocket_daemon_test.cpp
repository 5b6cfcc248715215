// `kamgw run` with the ha-websocket sink against the in-process fake Home Assistant (it runs
// in this test process; the daemon connects to it on 127.0.0.1). The meter is read once an
// hour, so within the test there is exactly one poll: whatever Home Assistant holds after its
// restart can only have come from the sink's resync, not from a new reading.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/fixtures/fake-home-assistant/fake_home_assistant.hpp"
#include "tests/integration/daemon-sinks/sink_daemon.hpp"

namespace kamgw::test::daemon_sinks {
namespace {

constexpr auto kFirstPoll = 90s;
constexpr auto kArrival = 60s;

std::string state_text(const FakeHomeAssistant& ha, const std::string& entity) {
    const auto state = ha.state_of(entity);
    return state && (*state)["state"].is_string() ? (*state)["state"].get<std::string>() : std::string{};
}

TEST(HaWebsocketDaemon, StatesStatisticsAndResyncAfterRestart) {
    FakeHomeAssistant ha;
    TempDir dir;
    // What an earlier run of the sink left: its last heat energy reading, an hour ago (the same
    // simulated meter read now). The hour that ended since lies between it and the first poll.
    const auto before = run_command({kamgw_binary().string(), "read", "sim://multical403?serial=5550301", "-r",
                                     "heat_energy", "--json", "--plugin-dir", plugin_dir().string()});
    ASSERT_EQ(before.exit_code, 0) << before.output;
    const std::string earlier_value = nlohmann::json::parse(before.output)["value"].dump();
    const auto earlier_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                (std::chrono::system_clock::now() - 1h).time_since_epoch())
                                .count();
    dir.write("state/sinks/ha-websocket/statistics/5550301_heat_energy.hours",
              "last " + std::to_string(earlier_ms) + " " + earlier_value + "\n");
    SinkDaemon daemon(dir, {.serial = 5550301,
                            .interval = "1h",
                            .sink_toml = "[[sink]]\ntype = \"ha-websocket\"\nurl = \"" + ha.url() +
                                         "\"\ntoken = \"good-token\"\nreconnect_min = \"200ms\"\nreconnect_max = "
                                         "\"1s\"\n"});
    const std::string serial = daemon.serial();
    const std::string heat_entity = "sensor.kamgw_" + serial + "_heat_energy";
    const std::string volume_entity = "sensor.kamgw_" + serial + "_volume";
    const std::string heat_statistic = "kamstrup:" + serial + "_heat_energy";

    ASSERT_TRUE(daemon.wait_for_polls(1, kFirstPoll)) << daemon.log();
    const auto poll = daemon.polls().front();

    // Authenticated, and the poll's states pushed over REST with the meter's exact decimals.
    ASSERT_TRUE(wait_until(
        [&] {
            return state_text(ha, heat_entity) == poll.values.at("heat_energy") &&
                   state_text(ha, volume_entity) == poll.values.at("volume");
        },
        kArrival))
        << "heat_energy " << state_text(ha, heat_entity) << " vs " << poll.values.at("heat_energy") << "\n"
        << daemon.log();
    EXPECT_GE(ha.authenticated_connections(), 1);
    EXPECT_EQ((*ha.state_of(heat_entity))["attributes"]["unit_of_measurement"], "MWh");
    EXPECT_EQ((*ha.state_of(heat_entity))["attributes"]["state_class"], "total_increasing");
    const auto states_pushed = ha.state_count();
    EXPECT_GE(states_pushed, 2u);

    // Statistics: the hour that ended between the earlier reading and this poll gets its row,
    // the value at its end interpolated between the two, imported as an external statistic.
    const std::int64_t previous_hour = poll.unix_s / 3600 * 3600 - 3600;
    ASSERT_TRUE(wait_until([&] { return ha.statistics(heat_statistic).count(previous_hour) == 1; }, kArrival))
        << "rows: " << ha.statistics(heat_statistic).size() << "\n"
        << daemon.log();
    const double at_end = ha.statistics(heat_statistic).at(previous_hour).state;
    EXPECT_GE(at_end, std::stod(earlier_value));
    EXPECT_LE(at_end, std::stod(poll.values.at("heat_energy")));
    EXPECT_EQ(ha.statistics(heat_statistic).size(), 1u) << "no row for an hour without readings on both sides";
    EXPECT_NE(daemon.log().find("interpolated between the readings around the hour's end"), std::string::npos)
        << daemon.log();
    bool metadata_seen = false;
    for (const auto& call : ha.imports())
        if (call.statistic_id == heat_statistic) metadata_seen = call.metadata.value("source", "") == "kamstrup";
    EXPECT_TRUE(metadata_seen);
    EXPECT_TRUE(ha.errors_sent().empty()) << ha.errors_sent().front().dump();

    // Home Assistant restarts: connections dropped, states forgotten. The sink reconnects and
    // pushes every state again, though the meter has not been read since.
    const int connections_before = ha.authenticated_connections();
    ha.restart(1500ms);
    ASSERT_TRUE(wait_until(
        [&] {
            return ha.authenticated_connections() > connections_before && ha.state_count() == states_pushed &&
                   state_text(ha, heat_entity) == poll.values.at("heat_energy");
        },
        kArrival))
        << "states " << ha.state_count() << " of " << states_pushed << "\n"
        << daemon.log();
    EXPECT_EQ(daemon.polls().size(), 1u) << "a new poll would hide whether the resync pushed the states";
    std::printf(
        "[ha-websocket] 1 poll of %zu registers; %zu states pushed, statistic %s row %lld = %s; after the restart "
        "%d authenticated connections, %zu states pushed again\n",
        poll.values.size(), states_pushed, heat_statistic.c_str(), static_cast<long long>(previous_hour),
        poll.values.at("heat_energy").c_str(), ha.authenticated_connections(), ha.state_count());
}

}  // namespace
}  // namespace kamgw::test::daemon_sinks
