// Batching by size and by interval, and delivery order.
#include <gtest/gtest.h>

#include <chrono>
#include <numeric>

#include "core/bus/reading_bus.hpp"
#include "tests/unit/bus/recording_sink.hpp"

namespace kamgw::bus {
namespace {

using namespace std::chrono_literals;
using test::make_batch;
using test::recording_sink;
using test::sink_config;
using test::SinkRecord;

std::vector<std::uint64_t> iota_seq(std::uint64_t n) {
    std::vector<std::uint64_t> v(n);
    std::iota(v.begin(), v.end(), 0);
    return v;
}

TEST(BusBatching, FullBatchesAreWrittenWithoutWaitingForTheInterval) {
    auto rec = std::make_shared<SinkRecord>();
    ReadingBus bus(HostServices{});
    bus.add_lane(recording_sink(rec), sink_config("rec", 3, std::chrono::milliseconds(std::chrono::hours(1))), {});
    bus.start();
    for (std::uint64_t i = 0; i < 7; ++i) bus.publish(make_batch(i));

    // The interval is an hour, so only "batch is full" can trigger these writes.
    ASSERT_TRUE(rec->wait([](const SinkRecord& r) { return r.written.size() >= 6; }));
    EXPECT_EQ(rec->read([](const SinkRecord& r) { return r.write_sizes; }), (std::vector<std::size_t>{3, 3}));

    // The seventh waits for the interval; stop() drains it without waiting that long.
    const DrainReport report = bus.stop(10s);
    EXPECT_TRUE((report.left_batches() == 0));
    EXPECT_EQ(rec->read([](const SinkRecord& r) { return r.write_sizes; }), (std::vector<std::size_t>{3, 3, 1}));
    EXPECT_EQ(rec->read([](const SinkRecord& r) { return r.written; }), iota_seq(7));
}

TEST(BusBatching, APartialBatchIsWrittenWhenTheFlushIntervalExpires) {
    auto rec = std::make_shared<SinkRecord>();
    ReadingBus bus(HostServices{});
    bus.add_lane(recording_sink(rec), sink_config("rec", 100, 1000ms), {});
    bus.start();
    const auto published = std::chrono::steady_clock::now();
    bus.publish(make_batch(0));
    bus.publish(make_batch(1));
    ASSERT_TRUE(rec->wait([](const SinkRecord& r) { return r.written.size() == 2; }));
    const auto elapsed = std::chrono::steady_clock::now() - published;

    EXPECT_GE(elapsed, 1000ms) << "the lane must wait for the batch to fill";
    EXPECT_EQ(rec->read([](const SinkRecord& r) { return r.write_sizes; }), (std::vector<std::size_t>{2}));
    EXPECT_EQ(bus.stats().at(0).written_batches, 2u);
    EXPECT_EQ(bus.stats().at(0).writes, 1u);
}

TEST(BusBatching, ZeroIntervalWritesAsSoonAsSomethingIsQueued) {
    auto rec = std::make_shared<SinkRecord>();
    ReadingBus bus(HostServices{});
    // Plugin defaults: flush_interval 0 and a large batch size; the table leaves both unset.
    bus.add_lane(recording_sink(rec), sink_config("rec", 0, std::nullopt),
                 LaneDefaults{.batch_size = 1000, .flush_interval = 0ms});
    bus.start();
    bus.publish(make_batch(0));
    ASSERT_TRUE(rec->wait([](const SinkRecord& r) { return r.written.size() == 1; }));
    bus.publish(make_batch(1));
    ASSERT_TRUE(rec->wait([](const SinkRecord& r) { return r.written.size() == 2; }));
    EXPECT_EQ(rec->read([](const SinkRecord& r) { return r.write_sizes; }), (std::vector<std::size_t>{1, 1}));
}

TEST(BusBatching, EveryLaneGetsEveryBatchInPublishOrder) {
    auto a = std::make_shared<SinkRecord>(), b = std::make_shared<SinkRecord>();
    ReadingBus bus(HostServices{});
    bus.add_lane(recording_sink(a), sink_config("a", 4, 0ms), {});
    bus.add_lane(recording_sink(b), sink_config("b", 1, 0ms), {});
    bus.start();
    constexpr std::uint64_t n = 500;
    for (std::uint64_t i = 0; i < n; ++i) bus.publish(make_batch(i));
    ASSERT_TRUE(a->wait([](const SinkRecord& r) { return r.written.size() == n; }));
    ASSERT_TRUE(b->wait([](const SinkRecord& r) { return r.written.size() == n; }));
    EXPECT_EQ(a->read([](const SinkRecord& r) { return r.written; }), iota_seq(n));
    EXPECT_EQ(b->read([](const SinkRecord& r) { return r.written; }), iota_seq(n));
    for (std::size_t size : a->read([](const SinkRecord& r) { return r.write_sizes; })) EXPECT_LE(size, 4u);
    EXPECT_TRUE((bus.stop(5s).left_batches() == 0));
}

TEST(BusBatching, BatchesPublishedBeforeStartAreDeliveredAfterIt) {
    auto rec = std::make_shared<SinkRecord>();
    ReadingBus bus(HostServices{});
    bus.add_lane(recording_sink(rec), sink_config("rec", 1, 0ms), {});
    bus.publish(make_batch(0));
    bus.publish(make_batch(1));
    EXPECT_EQ(bus.stats().at(0).queued_batches, 2u);
    EXPECT_EQ(bus.stats().at(0).state, LaneState::created);
    bus.start();
    ASSERT_TRUE(rec->wait([](const SinkRecord& r) { return r.written.size() == 2; }));
    EXPECT_EQ(bus.stats().at(0).queued_batches, 0u);
}

}  // namespace
}  // namespace kamgw::bus
