#include <gtest/gtest.h>

#include "plugins/sink-ha-websocket/statistic_id.hpp"

namespace {
using namespace kamgw::ha_websocket;

TEST(StatisticId, AcceptsWhatHomeAssistantAccepts) {
    for (const char* ok : {"kamstrup:12345678_heat_energy", "a:b", "k1:x_y_z", "kamstrup:0", "my_app:a_b"})
        EXPECT_TRUE(valid_statistic_id(ok)) << ok;
}

TEST(StatisticId, RefusesWhatHomeAssistantRefuses) {
    for (const char* bad : {"", ":", "kamstrup", "kamstrup:", ":x", "_k:x", "k_:x", "k:_x", "k:x_", "k__a:x", "k:a__b",
                            "K:x", "k:X", "k:x-y", "k.x:y", "k:x:y", "k :x", "sensor.kamstrup_heat"})
        EXPECT_FALSE(valid_statistic_id(bad)) << bad;
}

TEST(StatisticId, SourceMustBeThePartBeforeTheColon) {
    EXPECT_TRUE(statistic_source_matches("kamstrup:1_heat", "kamstrup"));
    EXPECT_FALSE(statistic_source_matches("kamstrup:1_heat", "kamgw"));
    EXPECT_FALSE(statistic_source_matches("bad__id:x", "bad__id"));
    EXPECT_EQ(statistic_source_of("abc:def"), "abc");
    EXPECT_FALSE(statistic_source_of("abc"));
}

TEST(StatisticId, BuiltIdsAlwaysFollowTheRule) {
    EXPECT_EQ(make_statistic_id("kamstrup", "12345678", "heat_energy"), "kamstrup:12345678_heat_energy");
    EXPECT_EQ(make_statistic_id("kamstrup", "_AB-12__", "r 60"), "kamstrup:ab_12_r_60");
    EXPECT_FALSE(make_statistic_id("Bad Source", "1", "x"));
    EXPECT_FALSE(make_statistic_id("a__b", "1", "x"));
    EXPECT_EQ(make_entity_id("12345678", "heat_energy"), "sensor.kamgw_12345678_heat_energy");
    EXPECT_EQ(id_part("___"), "meter");
    EXPECT_TRUE(valid_statistic_source("kamstrup"));
    EXPECT_FALSE(valid_statistic_source("_kamstrup"));
}

}  // namespace
