#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/app/metrics_server.hpp"

namespace kamgw::app {
namespace {

MeterSnapshot meter(std::string name, MeterHealth health, std::uint64_t polls) {
    MeterSnapshot m;
    m.name = std::move(name);
    m.identity.serial = "123";
    m.health = health;
    m.counters.polls = polls;
    m.counters.crc_errors = 2;
    if (health != MeterHealth::ok) m.detail = "meter " + m.name + ": no answer to 2 requests";
    return m;
}

bus::LaneStats lane(std::string name, bus::LaneState state) {
    bus::LaneStats l;
    l.name = std::move(name);
    l.type = "csv";
    l.state = state;
    l.written_batches = 5;
    return l;
}

TEST(MetricsRender, OpenMetricsCarriesCountersPerMeterAndSinkAndEndsWithEof) {
    const auto text = render_openmetrics({meter("house", MeterHealth::ok, 7), meter("a\"b", MeterHealth::link_down, 0)},
                                         {lane("csv", bus::LaneState::running)});
    EXPECT_NE(text.find("kamgw_meter_polls_total{meter=\"house\"} 7\n"), std::string::npos) << text;
    EXPECT_NE(text.find("kamgw_meter_crc_errors_total{meter=\"house\"} 2\n"), std::string::npos);
    EXPECT_NE(text.find("kamgw_meter_info{meter=\"house\",serial=\"123\",model=\"\"} 1\n"), std::string::npos);
    EXPECT_NE(text.find("kamgw_meter_up{meter=\"house\"} 1\n"), std::string::npos);
    EXPECT_NE(text.find("kamgw_meter_up{meter=\"a\\\"b\"} 0\n"), std::string::npos) << text;
    // Health is a state-set: every state has its series, whatever the meter is in.
    EXPECT_NE(text.find("kamgw_meter_health{meter=\"house\",kamgw_meter_health=\"ok\"} 1\n"), std::string::npos);
    EXPECT_NE(text.find("kamgw_meter_health{meter=\"house\",kamgw_meter_health=\"link_down\"} 0\n"), std::string::npos);
    EXPECT_NE(text.find("kamgw_meter_health{meter=\"a\\\"b\",kamgw_meter_health=\"link_down\"} 1\n"),
              std::string::npos);
    EXPECT_NE(text.find("kamgw_sink_state{sink=\"csv\",kamgw_sink_state=\"running\"} 1\n"), std::string::npos);
    EXPECT_NE(text.find("kamgw_sink_written_batches_total{sink=\"csv\",type=\"csv\"} 5\n"), std::string::npos);
    EXPECT_EQ(text.substr(text.size() - 6), "# EOF\n");
}

TEST(MetricsRender, HealthIsDegradedWhenAMeterIsDownOrASinkDisabled) {
    bool healthy = false;
    auto ok = nlohmann::json::parse(
        render_health({meter("house", MeterHealth::ok, 1)}, {lane("csv", bus::LaneState::running)}, healthy));
    EXPECT_TRUE(healthy);
    EXPECT_EQ(ok["status"], "ok");

    auto down = nlohmann::json::parse(
        render_health({meter("house", MeterHealth::no_answer, 1)}, {lane("csv", bus::LaneState::running)}, healthy));
    EXPECT_FALSE(healthy);
    EXPECT_EQ(down["status"], "degraded");
    EXPECT_EQ(down["meters"][0]["health"], "no_answer");
    ASSERT_EQ(down["failing"].size(), 1u);
    EXPECT_EQ(down["failing"][0]["meter"], "house");
    EXPECT_EQ(down["failing"][0]["reason"], "meter house: no answer to 2 requests");

    auto lacking = meter("house", MeterHealth::ok, 1);
    lacking.missing_registers = {"cooling_energy"};
    auto warned = nlohmann::json::parse(render_health({lacking}, {lane("csv", bus::LaneState::running)}, healthy));
    EXPECT_TRUE(healthy);
    EXPECT_EQ(warned["meters"][0]["missing_registers"][0], "cooling_energy");
    ASSERT_EQ(warned["warnings"].size(), 1u);
    EXPECT_NE(warned["warnings"][0].get<std::string>().find("cooling_energy"), std::string::npos);

    // A sink is failing once it has failed, or readings have waited for it, longer than the bound.
    GatewaySnapshot gw;
    gw.sink_max_delay = std::chrono::seconds(300);
    auto starting = lane("csv", bus::LaneState::start_failed);
    starting.failing_since = gw.now - std::chrono::seconds(10);
    render_health({meter("house", MeterHealth::ok, 1)}, {starting}, healthy, gw);
    EXPECT_TRUE(healthy) << "a moment of failure is not yet a failing sink";
    starting.failing_since = gw.now - std::chrono::minutes(10);
    starting.last_error = "start failed: cannot reach the hub";
    auto failed = nlohmann::json::parse(render_health({meter("house", MeterHealth::ok, 1)}, {starting}, healthy, gw));
    EXPECT_FALSE(healthy);
    ASSERT_EQ(failed["failing"].size(), 1u);
    EXPECT_EQ(failed["failing"][0]["sink"], "csv");
    EXPECT_NE(failed["failing"][0]["reason"].get<std::string>().find("cannot reach the hub"), std::string::npos);

    auto behind = lane("influxdb", bus::LaneState::running);
    behind.oldest_queued = gw.now - std::chrono::hours(1);
    behind.queued_batches = 12;
    auto late = nlohmann::json::parse(render_health({meter("house", MeterHealth::ok, 1)}, {behind}, healthy, gw));
    EXPECT_FALSE(healthy) << "a sink that answers ok to nothing new is not healthy";
    EXPECT_EQ(late["sinks"][0]["oldest_queued_age_seconds"], 3600);

    bus::JournalStats full;
    full.persistent = true;
    full.writable = false;
    full.error = "writing /var/lib/kamgw/journal/1.journal: No space left on device";
    gw.journal = full;
    auto disk = nlohmann::json::parse(
        render_health({meter("house", MeterHealth::ok, 1)}, {lane("csv", bus::LaneState::running)}, healthy, gw));
    EXPECT_FALSE(healthy);
    EXPECT_EQ(disk["journal"]["writable"], false);
    EXPECT_NE(disk["failing"][0]["reason"].get<std::string>().find("No space left"), std::string::npos);
}

}  // namespace
}  // namespace kamgw::app
