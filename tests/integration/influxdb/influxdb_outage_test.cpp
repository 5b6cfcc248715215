// Readings taken while InfluxDB is down are written when it is back: the sink answers retry,
// the core's lane (ReadingBus) keeps the batches and retries with backoff.
#include <gtest/gtest.h>

#include <cstdio>

#include "core/bus/reading_bus.hpp"
#include "plugins/sink-influxdb/tests/test_batches.hpp"
#include "tests/integration/influxdb/influxd_server.hpp"
#include "tests/integration/influxdb/influxdb_plugin.hpp"
#include "tests/support/temp_dir.hpp"

namespace kamgw::influxdb {
namespace {

using namespace test;

const bus::LaneStats& lane(const std::vector<bus::LaneStats>& stats) { return stats.at(0); }

TEST(InfluxdbOutage, EveryReadingFromBeforeDuringAndAfterAnOutageArrives) {
    kamgw::test::TempDir dir;
    LoadedPlugin plugin;
    InfluxdServer server(dir.path());
    server.execute("CREATE DATABASE kamstrup");

    config::SinkConfig cfg;
    cfg.type = "influxdb";
    cfg.name = "influxdb";
    cfg.options.set("url", server.url());
    cfg.options.set("database", std::string("kamstrup"));
    cfg.options.set("timeout", std::chrono::milliseconds(3000));
    cfg.batch_size = 10;
    cfg.flush_interval = std::chrono::milliseconds(0);
    cfg.retry_initial = std::chrono::milliseconds(100);
    cfg.retry_max = std::chrono::milliseconds(1000);

    bus::ReadingBus readings(bus::HostServices{.gateway_id = "test", .gateway_version = "0", .state_root = dir.path()});
    readings.add_lane(plugin.make_sink(), cfg, plugin.descriptor().lane);
    readings.start();

    int poll = 0;
    auto publish = [&](int n) {
        for (int i = 0; i < n; ++i, ++poll)
            readings.publish(mc403_poll("meter " + std::to_string(poll % 4), std::to_string(1000 + poll % 4),
                                        at_seconds(1700000000 + poll * 60), poll));
    };
    auto written = [&] { return lane(readings.stats()).written_batches; };

    publish(20);  // before
    ASSERT_TRUE(kamgw::test::wait_until([&] { return written() == 20; }, std::chrono::seconds(60)))
        << "written " << written();
    const std::int64_t before = server.count("kamstrup", "kamstrup");

    server.stop();
    publish(30);  // during
    ASSERT_TRUE(kamgw::test::wait_until([&] { return lane(readings.stats()).retries >= 3; }, std::chrono::seconds(60)));
    const auto down = lane(readings.stats());
    EXPECT_EQ(down.written_batches, 20u);
    EXPECT_NE(down.last_error.find("cannot reach"), std::string::npos) << down.last_error;

    server.start();  // same data folder, same port
    publish(25);     // after
    ASSERT_TRUE(kamgw::test::wait_until([&] { return written() == 75; }, std::chrono::seconds(90)))
        << "written " << written() << ", last error: " << lane(readings.stats()).last_error;
    const auto report = readings.stop(std::chrono::seconds(10));
    EXPECT_EQ(report.left_batches(), 0u);

    const auto stats = down;
    const std::int64_t total = server.count("kamstrup", "kamstrup");
    std::printf(
        "influxdb outage: %lld points before, 30 polls (210 points) published while down, %llu retries, "
        "%lld points after recovery (expected %d)\n",
        static_cast<long long>(before), static_cast<unsigned long long>(stats.retries), static_cast<long long>(total),
        75 * 7);
    EXPECT_EQ(before, 20 * 7);
    EXPECT_EQ(total, 75 * 7);
    EXPECT_EQ(lane(readings.stats()).dropped, 0u);
    EXPECT_EQ(lane(readings.stats()).rejected, 0u);
}

}  // namespace
}  // namespace kamgw::influxdb
