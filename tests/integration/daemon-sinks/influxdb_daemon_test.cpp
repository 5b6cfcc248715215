// `kamgw run` with the influxdb sink against a real influxd 1.6: every reading the daemon
// took (its CSV record) is in InfluxDB with the same time, key and value, also when influxd
// was stopped for a while and started again.
#include <gtest/gtest.h>
#include <httplib.h>

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <tuple>

#include "tests/integration/daemon-sinks/influx_points.hpp"
#include "tests/integration/daemon-sinks/sink_daemon.hpp"
#include "tests/integration/influxdb/influxd_server.hpp"

namespace kamgw::test::daemon_sinks {
namespace {

constexpr auto kFirstPolls = 90s;
// The lane retries every ≤1 s here; the first write after influxd is back also has to wait
// for the flush interval and a loaded machine.
constexpr auto kArrival = 90s;

TEST(InfluxdbDaemon, EveryReadingArrivesAcrossAnOutage) {
    TempDir dir;
    std::filesystem::create_directories(dir / "influx");
    influxdb::test::InfluxdServer server(dir / "influx");
    server.execute("CREATE DATABASE kamstrup");
    SinkDaemon daemon(dir, {.serial = 5550201,
                            .sink_toml = "[[sink]]\ntype = \"influxdb\"\nurl = \"" + server.url() +
                                         "\"\ndatabase = \"kamstrup\"\nprecision = \"ms\"\nflush_interval = "
                                         "\"500ms\"\nretry_initial = \"200ms\"\nretry_max = \"1s\"\n"});

    // Before the outage: the same points on both sides.
    ASSERT_TRUE(daemon.wait_for_polls(3, kFirstPolls)) << daemon.log();
    auto expected = csv_points(daemon.polls());
    std::string missing;
    ASSERT_TRUE(
        wait_until([&] { return count_missing(expected, influx_points(server, "house"), nullptr) == 0; }, kArrival))
        << (count_missing(expected, influx_points(server, "house"), &missing), missing) << daemon.log();
    std::printf("[influxdb] before the outage: %zu points in the CSV, all in influxd\n", expected.size());

    // influxd is away for at least three polls, then comes back on the same port and data.
    const auto before = daemon.polls().size();
    server.stop();
    ASSERT_TRUE(daemon.wait_for_polls(before + 3, kFirstPolls)) << daemon.log();
    const auto during = daemon.polls().size() - before;
    server.start();
    ASSERT_TRUE(daemon.wait_for_polls(daemon.polls().size() + 2, kFirstPolls)) << daemon.log();

    // Stopping drains the lane, so afterwards both sides must hold exactly the same points.
    expected = csv_points(daemon.polls());
    ASSERT_TRUE(
        wait_until([&] { return count_missing(expected, influx_points(server, "house"), nullptr) == 0; }, kArrival))
        << (count_missing(expected, influx_points(server, "house"), &missing), missing) << daemon.log();
    EXPECT_EQ(daemon.stop(), 0) << daemon.log();
    const auto polls = daemon.polls();
    expected = csv_points(polls);
    const auto stored = influx_points(server, "house");
    std::printf(
        "[influxdb] %zu polls (%zu while influxd was down): %zu points in the CSV, %zu in influxd, %zu missing\n",
        polls.size(), during, expected.size(), stored.size(), count_missing(expected, stored, nullptr));
    EXPECT_EQ(stored, expected) << (count_missing(expected, stored, &missing), missing);
    EXPECT_GE(during, 3u);
}

}  // namespace
}  // namespace kamgw::test::daemon_sinks
