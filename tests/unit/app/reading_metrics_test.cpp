// The meters' readings on /metrics: base units, counters vs gauges, labels, the timestamp rule,
// and the whole exposition read by the reference OpenMetrics parser.
#include <gtest/gtest.h>

#include "core/app/metrics_server.hpp"
#include "core/app/reading_metrics.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace kamgw::app {
namespace {

const TimePoint t0{std::chrono::seconds(1793700000)};

Reading reading(std::string key, std::uint64_t mantissa, std::int32_t exponent, Unit unit,
                HaStateClass state_class = HaStateClass::measurement) {
    Reading r;
    r.key = key;
    r.name = key + " register";
    r.value = Decimal{mantissa, exponent, false};
    r.unit = unit;
    r.time = t0;
    r.ha.state_class = state_class;
    return r;
}

TEST(ReadingMetrics, EnergyIsExactJoulesAndACounter) {
    const auto s = prometheus_sample(reading("heat_energy", 110740, -3, Unit::MWh, HaStateClass::total_increasing));
    ASSERT_TRUE(s);
    EXPECT_EQ(s->family, "kamgw_reading_heat_energy_joules");
    EXPECT_EQ(s->value, "398664000000");  // 110.740 MWh × 3.6e9 J/MWh, not a rounded double
    EXPECT_TRUE(s->counter);
    EXPECT_EQ(prometheus_sample(reading("e", 1234567, -3, Unit::GJ))->value, "1234567000000");
    EXPECT_EQ(prometheus_sample(reading("e", 15, -1, Unit::Gcal))->value, "6280200000");  // 1.5 × 4.1868e9
}

TEST(ReadingMetrics, OtherQuantitiesInTheirBaseUnits) {
    EXPECT_EQ(prometheus_sample(reading("volume", 432112, -2, Unit::cubic_metre))->value, "4321.12");
    EXPECT_EQ(prometheus_sample(reading("volume", 1500, 0, Unit::litre))->family, "kamgw_reading_volume_cubic_meters");
    EXPECT_EQ(prometheus_sample(reading("volume", 1500, 0, Unit::litre))->value, "1.5");
    EXPECT_EQ(prometheus_sample(reading("power", 123, -1, Unit::kW))->value, "12300");
    EXPECT_EQ(prometheus_sample(reading("power", 123, -1, Unit::kW))->family, "kamgw_reading_power_watts");
    EXPECT_EQ(prometheus_sample(reading("hour_counter", 51234, 0, Unit::hour))->value, "184442400");
    EXPECT_EQ(prometheus_sample(reading("t_forward", 6521, -2, Unit::celsius))->family,
              "kamgw_reading_t_forward_celsius");
    EXPECT_EQ(prometheus_sample(reading("t_diff", 2511, -2, Unit::kelvin))->value, "25.11");
    const auto flow = prometheus_sample(reading("flow", 3600, 0, Unit::litre_per_hour));
    EXPECT_EQ(flow->family, "kamgw_reading_flow_cubic_meters_per_second");
    EXPECT_EQ(flow->value, "0.001");
    EXPECT_FALSE(flow->counter);
    EXPECT_EQ(prometheus_sample(reading("info", 0, 0, Unit::number))->family, "kamgw_reading_info");
    EXPECT_FALSE(prometheus_sample(reading("max_flow_date_year", 230123, 0, Unit::date_yymmdd)));
    Reading serial = reading("serial", 5550501, 0, Unit::number);
    serial.quantity = Quantity::identifier;
    EXPECT_FALSE(prometheus_sample(serial));
}

TEST(ReadingMetrics, ATimestampOnlyOnceTheReadingIsOld) {
    LatestReadings latest;
    ReadingBatch b;
    b.meter = MeterIdentity{"house", "123", "MULTICAL 403", "", 0};
    b.readings = {reading("power", 123, -1, Unit::kW)};
    latest.record(b, std::chrono::seconds(60));
    std::ostringstream fresh, old;
    render_reading_metrics(fresh, latest.snapshot(), t0 + std::chrono::seconds(100));
    render_reading_metrics(old, latest.snapshot(), t0 + std::chrono::seconds(121));
    EXPECT_NE(
        fresh.str().find("kamgw_reading_power_watts{meter=\"house\",serial=\"123\",model=\"MULTICAL 403\"} 12300\n"),
        std::string::npos)
        << fresh.str();
    EXPECT_NE(old.str().find("} 12300 1793700000\n"), std::string::npos) << old.str();
}

TEST(ReadingMetrics, AnErrorKeepsTheLastGoodValue) {
    LatestReadings latest;
    ReadingBatch b;
    b.meter.name = "house";
    b.readings = {reading("power", 123, -1, Unit::kW)};
    latest.record(b, std::chrono::seconds(60));
    b.readings[0].quality = Quality::error;
    b.readings[0].value = Decimal{};
    latest.record(b, std::chrono::seconds(60));
    EXPECT_EQ(latest.snapshot().front().latest.at("power").value.mantissa, 123u);
}

TEST(ReadingMetrics, AMeterRemovedByAReloadLeaves) {
    LatestReadings latest;
    for (const char* name : {"house", "garage"}) {
        ReadingBatch b;
        b.meter.name = name;
        b.readings = {reading("power", 123, -1, Unit::kW)};
        latest.record(b, std::chrono::seconds(60));
    }
    latest.keep_only({"garage"});
    const auto left = latest.snapshot();
    ASSERT_EQ(left.size(), 1u);
    EXPECT_EQ(left.front().meter.name, "garage");
    latest.keep_only({});
    EXPECT_TRUE(latest.snapshot().empty());
}

TEST(ReadingMetrics, TheExpositionWithReadingsParses) {
    LatestReadings latest;
    for (const char* name : {"house", "garage"}) {
        ReadingBatch b;
        b.meter = MeterIdentity{name, "1", "MULTICAL 403", "", 0};
        b.readings = {reading("heat_energy", 110740, -3, Unit::MWh, HaStateClass::total_increasing),
                      reading("volume", 432112, -2, Unit::cubic_metre, HaStateClass::total_increasing),
                      reading("flow", 512, 0, Unit::litre_per_hour), reading("info", 0, 0, Unit::number)};
        latest.record(b, std::chrono::seconds(3600));
    }
    GatewaySnapshot gateway;
    gateway.readings = latest.snapshot();
    gateway.now = t0;
    const std::string text = render_openmetrics({}, {}, gateway);
    test::TempDir dir;
    const auto file = dir.write("metrics.txt", text);
    const auto script = dir.write("parse.py", R"(
import sys
from prometheus_client.openmetrics.parser import text_string_to_metric_families
for family in text_string_to_metric_families(open(sys.argv[1]).read()):
    if family.name.startswith("kamgw_reading_"):
        print(family.name, family.type, family.unit, len(family.samples))
)");
    const auto result = test::run_command({"/usr/bin/python3", script.string(), file.string()});
    ASSERT_EQ(result.exit_code, 0) << result.output << "\n--- exposition:\n" << text;
    EXPECT_NE(result.output.find("kamgw_reading_heat_energy_joules counter joules 2"), std::string::npos)
        << result.output;
    EXPECT_NE(result.output.find("kamgw_reading_volume_cubic_meters counter cubic_meters 2"), std::string::npos);
    EXPECT_NE(result.output.find("kamgw_reading_flow_cubic_meters_per_second gauge cubic_meters_per_second 2"),
              std::string::npos);
    EXPECT_NE(result.output.find("kamgw_reading_info gauge  2"), std::string::npos) << result.output;
}

}  // namespace
}  // namespace kamgw::app
