// Durations and counts are held to their documented ranges, with the position of the value.
#include <gtest/gtest.h>

#include "core/config/config_loader.hpp"
#include "core/config/core_schemas.hpp"
#include "core/config/duration.hpp"
#include "core/config/schema_validator.hpp"
#include "tests/unit/config/test_plugins.hpp"

namespace kamgw::config {
namespace {

const StaticPluginSchemas plugins = test::all_plugins();

std::string errors_of(const std::string& text) {
    LoadOptions o;
    o.default_gateway_id = "t";
    o.credentials_dir = std::filesystem::path{};
    try {
        load_config_text(text, "r.toml", plugins, o);
    } catch (const ConfigErrors& e) {
        return e.what();
    }
    return {};
}

std::string meter(const std::string& extra) { return "[[meter]]\nname = \"m\"\nurl = \"sim://multical403\"\n" + extra; }

TEST(ConfigRanges, MeterIntervalHasAMaximumOfSevenDays) {
    EXPECT_EQ(errors_of(meter("interval = \"7d\"\n")), "");
    EXPECT_EQ(errors_of(meter("interval = \"90000d\"\n")),
              "r.toml:4:12: key 'meter[0].interval': duration 90000d is out of range; accepted: " +
                  std::string(duration_syntax) + ", from 1s to 7d");
    EXPECT_NE(errors_of(meter("interval = \"7d1ms\"\n")).find("r.toml:4:12: key 'meter[0].interval'"),
              std::string::npos);
}

TEST(ConfigRanges, RegisterIntervalsHaveTheMetersRange) {
    const std::string head = "registers = [\"volume\"]\nregister_intervals = { volume = ";
    EXPECT_EQ(errors_of(meter(head + "\"7d\" }\n")), "");
    const std::string too_long = errors_of(meter(head + "\"8d\" }\n"));
    EXPECT_NE(too_long.find("r.toml:5:33: key 'meter[0].register_intervals.volume': duration 8d is out of range"),
              std::string::npos)
        << too_long;
    EXPECT_NE(too_long.find("from 1s to 7d"), std::string::npos) << too_long;
    EXPECT_NE(errors_of(meter(head + "\"999ms\" }\n")).find("duration 999ms is out of range"), std::string::npos);
}

TEST(ConfigRanges, DurationsWithoutTheirOwnMaximumStopAtThirtyDays) {
    // The tcp transport's connect_timeout declares no maximum.
    const std::string url = "[[meter]]\nname = \"m\"\nurl = \"tcp://h:1?connect_timeout=";
    EXPECT_EQ(errors_of(url + "30d\"\n"), "");
    const std::string text = errors_of(url + "31d\"\n");
    EXPECT_NE(text.find("r.toml:3:7: key 'meter[0].url.connect_timeout': duration 31d is out of range"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("from 0s to 30d"), std::string::npos) << text;
}

TEST(ConfigRanges, GatewayAndLaneLimits) {
    EXPECT_NE(errors_of("[gateway]\nread_now_min_interval = \"8d\"\n")
                  .find("r.toml:2:25: key 'gateway.read_now_min_interval': duration 8d is out of range"),
              std::string::npos);
    const std::string sink = "[[sink]]\ntype = \"csv\"\npath = \"-\"\n";
    EXPECT_NE(errors_of(sink + "queue_max_bytes = 17179869185\n")
                  .find("r.toml:4:19: key 'sink[0].queue_max_bytes': 17179869185 is out of range"),
              std::string::npos);
    EXPECT_EQ(errors_of(sink + "queue_max_bytes = 17179869184\n"), "");
}

TEST(ConfigRanges, EveryCoreDurationKeyIsBounded) {
    for (auto schema : {gateway_schema(), meter_schema(), sink_core_schema()}) {
        for (const ConfigKey& key : schema) {
            if (key.type != ConfigType::duration && key.type != ConfigType::integer) continue;
            EXPECT_NE(key.max, INT64_MAX) << key.key << " has no maximum";
        }
    }
}

}  // namespace
}  // namespace kamgw::config
