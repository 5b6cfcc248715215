// A slow sink delays nobody but itself.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "core/bus/reading_bus.hpp"
#include "tests/unit/bus/recording_sink.hpp"

namespace kamgw::bus {
namespace {

using namespace std::chrono_literals;
using test::make_batch;
using test::recording_sink;
using test::sink_config;
using test::SinkRecord;

TEST(BusIsolation, ASlowSinkDelaysNeitherPublishNorTheOtherSink) {
    auto slow = std::make_shared<SinkRecord>(), fast = std::make_shared<SinkRecord>();
    slow->write_delay = 2s;
    ReadingBus bus(HostServices{});
    bus.add_lane(recording_sink(slow), sink_config("slow", 1, 0ms), {});
    bus.add_lane(recording_sink(fast), sink_config("fast", 1, 0ms), {});
    bus.start();

    bus.publish(make_batch(0));
    ASSERT_TRUE(slow->wait([](const SinkRecord& r) { return r.inside_write; }));
    constexpr std::uint64_t n = 50;
    for (std::uint64_t i = 1; i < n; ++i) bus.publish(make_batch(i));
    // publish() returned for all 50 while the slow sink is still inside its first 2 s write.
    EXPECT_EQ(slow->written_count(), 0u) << "publish() waited for the slow sink";

    ASSERT_TRUE(fast->wait([](const SinkRecord& r) { return r.written.size() == n; }));
    // The fast sink got everything while the slow one has at most finished its first write.
    EXPECT_LE(slow->written_count(), 1u);
    EXPECT_GE(bus.stats().at(0).queued_batches, n - 1);

    const DrainReport report = bus.stop(0ms);
    ASSERT_EQ(report.lanes.size(), 2u);
    EXPECT_EQ(report.lanes[0].name, "slow");
    EXPECT_GE(report.lanes[0].left_batches, n - 2);
    EXPECT_EQ(report.lanes[1].left_batches, 0u);
}

TEST(BusIsolation, PublishingFromManyThreadsLosesNothing) {
    auto rec = std::make_shared<SinkRecord>();
    ReadingBus bus(HostServices{});
    bus.add_lane(recording_sink(rec), sink_config("rec", 16, 5ms), {});
    bus.start();
    constexpr std::uint64_t per_thread = 400;
    std::vector<std::thread> producers;
    for (std::uint64_t t = 0; t < 4; ++t)
        producers.emplace_back([&bus, t] {
            for (std::uint64_t i = 0; i < per_thread; ++i) bus.publish(make_batch(t * per_thread + i));
        });
    for (auto& p : producers) p.join();
    ASSERT_TRUE(rec->wait([](const SinkRecord& r) { return r.written.size() == 4 * per_thread; }));
    auto written = rec->read([](const SinkRecord& r) { return r.written; });
    // Each producer's batches arrive in that producer's order.
    for (std::uint64_t t = 0; t < 4; ++t) {
        std::uint64_t last = 0;
        bool first = true;
        for (std::uint64_t s : written)
            if (s / per_thread == t) {
                if (!first) {
                    EXPECT_GT(s, last);
                }
                last = s;
                first = false;
            }
    }
    std::sort(written.begin(), written.end());
    EXPECT_EQ(std::unique(written.begin(), written.end()), written.end());
    EXPECT_EQ(bus.stats().at(0).dropped, 0u);
}

}  // namespace
}  // namespace kamgw::bus
