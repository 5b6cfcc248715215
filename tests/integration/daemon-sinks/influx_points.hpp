// Comparing what reached influxd with the CSV record of the polls.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <tuple>
#include <vector>

#include "tests/integration/daemon-sinks/sink_daemon.hpp"
#include "tests/integration/influxdb/influxd_server.hpp"

namespace kamgw::test::daemon_sinks {

// One point, the way both sides can state it: reading second, register key, value.
using Point = std::tuple<std::int64_t, std::string, double>;

// Every reading of quality ok, sorted; a poll the CSV holds twice (after a crash) gives its
// points twice.
std::vector<Point> csv_points(const std::vector<CsvPoll>& polls);
// Everything in measurement kamstrup for `meter`, timestamps in milliseconds floored to the
// CSV's whole seconds, sorted.
std::vector<Point> influx_points(const influxdb::test::InfluxdServer& server, const std::string& meter);
// How many of `expected` are not in `got` (both sorted); lists the first 20.
std::size_t count_missing(const std::vector<Point>& expected, const std::vector<Point>& got, std::string* list);

}  // namespace kamgw::test::daemon_sinks
