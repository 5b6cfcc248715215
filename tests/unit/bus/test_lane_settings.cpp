#include <gtest/gtest.h>

#include "core/bus/lane.hpp"

namespace kamgw::bus {
namespace {

using std::chrono::milliseconds;

TEST(BusLaneSettings, PluginDefaultsApplyWhenTheTableLeavesThemOut) {
    config::SinkConfig cfg;
    cfg.type = "influxdb";
    cfg.name = "influx-main";
    LaneDefaults defaults{.batch_size = 50, .flush_interval = milliseconds(2000)};
    const LaneSettings s = LaneSettings::from(cfg, defaults);
    EXPECT_EQ(s.name, "influx-main");
    EXPECT_EQ(s.type, "influxdb");
    EXPECT_EQ(s.batch_size, 50u);
    EXPECT_EQ(s.flush_interval, milliseconds(2000));
    EXPECT_EQ(s.backlog_max_batches, cfg.queue_max_batches);
    EXPECT_EQ(s.backlog_max_bytes, cfg.queue_max_bytes);
    EXPECT_EQ(s.retry_initial, cfg.retry_initial);
    EXPECT_EQ(s.retry_max, cfg.retry_max);
}

TEST(BusLaneSettings, TableValuesOverridePluginDefaults) {
    config::SinkConfig cfg;
    cfg.type = "csv";
    cfg.batch_size = 7;
    cfg.flush_interval = milliseconds(0);
    cfg.queue_max_batches = 12;
    cfg.queue_max_bytes = 4096;
    cfg.retry_initial = milliseconds(250);
    cfg.retry_max = milliseconds(9000);
    const LaneSettings s =
        LaneSettings::from(cfg, LaneDefaults{.batch_size = 50, .flush_interval = milliseconds(2000)});
    EXPECT_EQ(s.name, "csv");  // no name: the type
    EXPECT_EQ(s.batch_size, 7u);
    EXPECT_EQ(s.flush_interval, milliseconds(0));
    EXPECT_EQ(s.backlog_max_batches, 12u);
    EXPECT_EQ(s.backlog_max_bytes, 4096u);
    EXPECT_EQ(s.retry_initial, milliseconds(250));
    EXPECT_EQ(s.retry_max, milliseconds(9000));
}

TEST(BusLaneSettings, ABatchSizeOfZeroEverywhereStillWritesOneAtATime) {
    config::SinkConfig cfg;
    cfg.type = "csv";
    EXPECT_EQ(LaneSettings::from(cfg, LaneDefaults{.batch_size = 0}).batch_size, 1u);
}

}  // namespace
}  // namespace kamgw::bus
