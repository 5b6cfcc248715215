// The /metrics exposition read by a real OpenMetrics parser (python3-prometheus-client, the
// reference implementation's), so a format slip fails here rather than in a user's scraper.
#include <gtest/gtest.h>

#include "core/app/metrics_server.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace kamgw::app {
namespace {

// Parses the file strictly and prints "name type samples" per family.
constexpr const char* parser = R"(
import sys
from prometheus_client.openmetrics.parser import text_string_to_metric_families
for family in text_string_to_metric_families(open(sys.argv[1]).read()):
    print(family.name, family.type, len(family.samples))
)";

MeterSnapshot meter(std::string name, MeterHealth health, std::string serial) {
    MeterSnapshot m;
    m.name = std::move(name);
    m.identity.serial = std::move(serial);
    m.identity.model = "MULTICAL 403";
    m.health = health;
    m.counters.polls = 12;
    m.counters.reconnects = 3;
    m.poll_lag_seconds = 1.25;
    m.missing_registers = {"cooling_energy"};
    return m;
}

TEST(OpenMetricsParser, TheExpositionParsesAndHasStableFamilies) {
    bus::LaneStats lane;
    lane.name = "csv \"main\"";
    lane.type = "csv";
    lane.state = bus::LaneState::retrying;
    lane.oldest_queued = Clock::now() - std::chrono::minutes(3);
    GatewaySnapshot gateway;
    gateway.journal = bus::JournalStats{};
    gateway.journal->appended = 42;
    const std::string text = render_openmetrics(
        {meter("house", MeterHealth::ok, "123"), meter("garage\\n", MeterHealth::link_down, "")}, {lane}, gateway);
    test::TempDir dir;
    const auto file = dir.write("metrics.txt", text);
    const auto script = dir.write("parse.py", parser);
    // Debian's interpreter, where the package puts the module (a python3 earlier in PATH may not have it).
    const auto result = test::run_command({"/usr/bin/python3", script.string(), file.string()});
    ASSERT_EQ(result.exit_code, 0) << result.output << "\n--- exposition:\n" << text;
    EXPECT_NE(result.output.find("kamgw_meter_health stateset 10"), std::string::npos) << result.output;
    EXPECT_NE(result.output.find("kamgw_meter info 1"), std::string::npos) << result.output;  // unidentified: none
    EXPECT_NE(result.output.find("kamgw_meter_reconnects counter 2"), std::string::npos) << result.output;
    EXPECT_NE(result.output.find("kamgw_meter_poll_lag_seconds gauge 2"), std::string::npos) << result.output;
    EXPECT_NE(result.output.find("kamgw_sink_state stateset 7"), std::string::npos) << result.output;
    EXPECT_NE(result.output.find("kamgw_journal_appended_batches counter 1"), std::string::npos) << result.output;
    EXPECT_NE(result.output.find("kamgw_sink_oldest_queued_age_seconds gauge 1"), std::string::npos) << result.output;
}

}  // namespace
}  // namespace kamgw::app
