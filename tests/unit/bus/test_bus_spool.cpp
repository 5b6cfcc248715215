// A lane with a spool: what does not fit in memory, or is left at shutdown, waits on disk and
// is delivered first, in order, once the sink takes writes again.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>

#include "core/bus/lane.hpp"
#include "core/bus/reading_bus.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/unit/bus/recording_sink.hpp"

namespace kamgw::bus {
namespace {

using namespace std::chrono_literals;
using test::make_batch;
using test::recording_sink;
using test::sink_config;
using test::SinkRecord;

std::vector<std::uint64_t> range(std::uint64_t from, std::uint64_t to) {
    std::vector<std::uint64_t> out;
    for (std::uint64_t i = from; i < to; ++i) out.push_back(i);
    return out;
}

HostServices services_in(const kamgw::test::TempDir& dir) {
    HostServices s;
    s.state_root = dir.path();
    return s;
}

std::size_t segment_files(const std::filesystem::path& dir) {
    if (!std::filesystem::exists(dir)) return 0;
    std::size_t n = 0;
    for (const auto& e : std::filesystem::directory_iterator(dir)) n += e.path().extension() == ".jsonl";
    return n;
}

TEST(BusSpooling, WhatDoesNotFitInMemoryIsSpooledAndDeliveredInOrderLater) {
    kamgw::test::TempDir dir;
    auto rec = std::make_shared<SinkRecord>();
    auto down = std::make_shared<std::atomic<bool>>(true);
    rec->answer = [down](std::size_t, std::span<const ReadingBatch>) {
        return down->load() ? WriteResult::retry("hub down") : WriteResult::ok();
    };
    auto cfg = sink_config("rec", 4, 0ms);
    cfg.queue_max_batches = 5;
    ReadingBus bus(services_in(dir));
    bus.add_lane(recording_sink(rec), cfg, {});
    bus.start();
    constexpr std::uint64_t n = 60;
    for (std::uint64_t i = 0; i < n; ++i) {
        bus.publish(make_batch(i));
        // Meters publish at most a few batches a second; pace the test likewise so the lane
        // has written each evicted batch to disk before the next one arrives.
        ASSERT_TRUE(kamgw::test::wait_until([&] { return bus.stats().at(0).queued_batches <= 5; }, 20s));
    }
    const auto spool_dir = dir.path() / "sinks" / "rec" / "spool";
    ASSERT_TRUE(kamgw::test::wait_until([&] { return bus.stats().at(0).spooled_batches == n - 5; }, 20s));
    EXPECT_GE(segment_files(spool_dir), 1u);
    EXPECT_EQ(bus.stats().at(0).dropped, 0u);

    down->store(false);
    ASSERT_TRUE(rec->wait([](const SinkRecord& r) { return r.written.size() == n; }));
    EXPECT_EQ(rec->read([](const SinkRecord& r) { return r.written; }), range(0, n));
    const LaneStats s = bus.stats().at(0);
    EXPECT_EQ(s.dropped, 0u);
    EXPECT_EQ(s.written_batches, n);
    ASSERT_TRUE(kamgw::test::wait_until([&] { return segment_files(spool_dir) == 0; }, 20s));
    EXPECT_EQ(bus.stats().at(0).spooled_batches, 0u);
}

TEST(BusSpooling, BatchesLeftAtShutdownGoFirstAtTheNextStart) {
    kamgw::test::TempDir dir;
    {
        auto rec = std::make_shared<SinkRecord>();
        rec->answer = [](std::size_t, std::span<const ReadingBatch>) { return WriteResult::retry("hub down"); };
        ReadingBus bus(services_in(dir));
        bus.add_lane(recording_sink(rec), sink_config("rec", 2, 0ms), {});
        bus.start();
        for (std::uint64_t i = 0; i < 7; ++i) bus.publish(make_batch(i));
        ASSERT_TRUE(rec->wait([](const SinkRecord& r) { return !r.write_sizes.empty(); }));
        const DrainReport report = bus.stop(100ms);
        ASSERT_EQ(report.lanes.size(), 1u);
        EXPECT_EQ(report.lanes[0].undelivered_batches, 0u);
        EXPECT_EQ(report.lanes[0].spooled_batches, 7u);
        EXPECT_TRUE(report.complete());
    }
    auto rec = std::make_shared<SinkRecord>();
    ReadingBus bus(services_in(dir));
    bus.add_lane(recording_sink(rec), sink_config("rec", 3, 0ms), {});
    bus.start();
    for (std::uint64_t i = 7; i < 10; ++i) bus.publish(make_batch(i));
    ASSERT_TRUE(rec->wait([](const SinkRecord& r) { return r.written.size() == 10; }));
    EXPECT_EQ(rec->read([](const SinkRecord& r) { return r.written; }), range(0, 10));
    EXPECT_TRUE(bus.stop(5s).complete());
}

TEST(BusSpooling, AShutdownDuringReplayKeepsOnlyTheUndeliveredRest) {
    kamgw::test::TempDir dir;
    {
        auto rec = std::make_shared<SinkRecord>();
        rec->answer = [](std::size_t, std::span<const ReadingBatch>) { return WriteResult::retry("hub down"); };
        ReadingBus bus(services_in(dir));
        bus.add_lane(recording_sink(rec), sink_config("rec", 1, 0ms), {});
        bus.start();
        for (std::uint64_t i = 0; i < 6; ++i) bus.publish(make_batch(i));
        ASSERT_TRUE(rec->wait([](const SinkRecord& r) { return !r.write_sizes.empty(); }));
        EXPECT_EQ(bus.stop(50ms).lanes.at(0).spooled_batches, 6u);
    }
    {
        // The second run delivers two from the spool, then the third write blocks until shutdown.
        auto rec = std::make_shared<SinkRecord>();
        rec->answer = [](std::size_t call, std::span<const ReadingBatch>) {
            return call < 2 ? WriteResult::ok() : WriteResult::retry("hub down again");
        };
        ReadingBus bus(services_in(dir));
        bus.add_lane(recording_sink(rec), sink_config("rec", 1, 0ms), {});
        bus.start();
        ASSERT_TRUE(rec->wait([](const SinkRecord& r) { return r.write_sizes.size() >= 3; }));
        bus.publish(make_batch(6));
        const DrainReport report = bus.stop(50ms);
        EXPECT_EQ(rec->read([](const SinkRecord& r) { return r.written; }), range(0, 2));
        EXPECT_EQ(report.lanes.at(0).spooled_batches, 5u);  // 2..5 from the old segment, 6 new
        EXPECT_EQ(report.lanes.at(0).undelivered_batches, 0u);
    }
    auto rec = std::make_shared<SinkRecord>();
    ReadingBus bus(services_in(dir));
    bus.add_lane(recording_sink(rec), sink_config("rec", 10, 0ms), {});
    bus.start();
    ASSERT_TRUE(rec->wait([](const SinkRecord& r) { return r.written.size() == 5; }));
    EXPECT_EQ(rec->read([](const SinkRecord& r) { return r.written; }), range(2, 7));
}

TEST(BusSpooling, ASinkThatFailsToStartKeepsItsQueueForTheNextStart) {
    kamgw::test::TempDir dir;
    {
        auto rec = std::make_shared<SinkRecord>();
        rec->throw_in_start = true;
        ReadingBus bus(services_in(dir));
        bus.add_lane(recording_sink(rec), sink_config("rec", 1, 0ms), {});
        bus.publish(make_batch(0));
        bus.publish(make_batch(1));
        bus.start();
        ASSERT_TRUE(kamgw::test::wait_until([&] { return bus.stats().at(0).state == LaneState::disabled; }, 20s));
        EXPECT_EQ(bus.stats().at(0).spooled_batches, 2u);
        EXPECT_EQ(bus.stats().at(0).dropped, 0u);
        bus.publish(make_batch(2));  // after the failure: dropped and counted
        EXPECT_EQ(bus.stats().at(0).dropped, 1u);
    }
    auto rec = std::make_shared<SinkRecord>();
    ReadingBus bus(services_in(dir));
    bus.add_lane(recording_sink(rec), sink_config("rec", 1, 0ms), {});
    bus.start();
    ASSERT_TRUE(rec->wait([](const SinkRecord& r) { return r.written.size() == 2; }));
    EXPECT_EQ(rec->read([](const SinkRecord& r) { return r.written; }), range(0, 2));
}

TEST(BusSpooling, AnUnusableSpoolFolderFallsBackToDropping) {
    kamgw::test::TempDir dir;
    dir.write("sinks", "a file where the folder should be");
    auto rec = std::make_shared<SinkRecord>();
    auto cfg = sink_config("rec", 1, 0ms);
    cfg.queue_max_batches = 2;
    rec->close_gate();
    ReadingBus bus(services_in(dir));
    bus.add_lane(recording_sink(rec), cfg, {});
    bus.start();
    bus.publish(make_batch(0));
    ASSERT_TRUE(rec->wait([](const SinkRecord& r) { return r.inside_write; }));
    for (std::uint64_t i = 1; i <= 4; ++i) bus.publish(make_batch(i));
    EXPECT_EQ(bus.stats().at(0).dropped, 2u);
    rec->open_gate();
    ASSERT_TRUE(rec->wait([](const SinkRecord& r) { return r.written.size() == 3; }));
    EXPECT_EQ(rec->read([](const SinkRecord& r) { return r.written; }), (std::vector<std::uint64_t>{0, 3, 4}));
}

TEST(BusSpooling, BatchesEvictedBeforeTheSpoolFailedToOpenAreCountedAsDropped) {
    kamgw::test::TempDir dir;
    const auto blocker = dir.write("blocker", "a file where the folder should be");
    auto rec = std::make_shared<SinkRecord>();
    LaneSettings settings;
    settings.name = settings.type = "rec";
    settings.queue_max_batches = 1;
    settings.spool_dir = blocker / "spool";
    auto lane = std::make_shared<Lane>(recording_sink(rec), settings, std::make_shared<HostServices>(), ConfigTable{});
    // Before start the lane still expects a spool: 0 is evicted to the spool's staging area,
    // then 1 is evicted too, pushing 0 out of that (bounded) area.
    for (std::uint64_t i = 0; i < 3; ++i) lane->publish(make_batch(i));
    EXPECT_EQ(lane->stats().dropped, 1u);
    lane->start();
    ASSERT_TRUE(rec->wait([](const SinkRecord& r) { return r.written.size() == 1; }));
    EXPECT_EQ(rec->read([](const SinkRecord& r) { return r.written; }), (std::vector<std::uint64_t>{2}));
    EXPECT_EQ(lane->stats().dropped, 2u);
    EXPECT_EQ(lane->stats().queued_batches, 0u);
    const auto now = std::chrono::steady_clock::now();
    lane->begin_stop(now + 5s);
    EXPECT_EQ(lane->finish_stop(now + 10s).undelivered_batches, 0u);
}

TEST(BusSpooling, ABusStoppedBeforeItStartedKeepsItsQueueInTheSpool) {
    kamgw::test::TempDir dir;
    {
        auto rec = std::make_shared<SinkRecord>();
        ReadingBus bus(services_in(dir));
        bus.add_lane(recording_sink(rec), sink_config("rec", 1, 0ms), {});
        bus.publish(make_batch(0));
        bus.publish(make_batch(1));
        const DrainReport report = bus.stop(1s);
        EXPECT_EQ(report.lanes.at(0).spooled_batches, 2u);
        EXPECT_TRUE(report.complete());
        EXPECT_EQ(rec->read([](const SinkRecord& r) { return r.starts + r.stops; }), 0);
    }
    auto rec = std::make_shared<SinkRecord>();
    ReadingBus bus(services_in(dir));
    bus.add_lane(recording_sink(rec), sink_config("rec", 1, 0ms), {});
    bus.start();
    ASSERT_TRUE(rec->wait([](const SinkRecord& r) { return r.written.size() == 2; }));
    EXPECT_EQ(rec->read([](const SinkRecord& r) { return r.written; }), range(0, 2));
}

TEST(BusSpooling, ALaneReplacedOnReloadHandsItsSpoolToTheNewLane) {
    kamgw::test::TempDir dir;
    auto old_rec = std::make_shared<SinkRecord>();
    old_rec->answer = [](std::size_t, std::span<const ReadingBatch>) { return WriteResult::retry("hub down"); };
    auto old_bus = std::make_unique<ReadingBus>(services_in(dir));
    old_bus->add_lane(recording_sink(old_rec), sink_config("rec", 1, 0ms), {});
    old_bus->start();
    for (std::uint64_t i = 0; i < 3; ++i) old_bus->publish(make_batch(i));
    ASSERT_TRUE(old_rec->wait([](const SinkRecord& r) { return !r.write_sizes.empty(); }));

    // The replacing lane starts while the old one still holds the spool folder.
    auto rec = std::make_shared<SinkRecord>();
    ReadingBus bus(services_in(dir));
    bus.add_lane(recording_sink(rec), sink_config("rec", 1, 0ms), {});
    bus.start();
    bus.publish(make_batch(10));
    ASSERT_TRUE(rec->wait([](const SinkRecord& r) { return r.written.size() == 1; }));

    const DrainReport report = old_bus->stop(50ms);
    EXPECT_EQ(report.lanes.at(0).spooled_batches, 3u);
    old_bus.reset();
    ASSERT_TRUE(rec->wait([](const SinkRecord& r) { return r.written.size() == 4; }));
    EXPECT_EQ(rec->read([](const SinkRecord& r) { return r.written; }), (std::vector<std::uint64_t>{10, 0, 1, 2}));
    EXPECT_EQ(bus.stats().at(0).dropped, 0u);
}

}  // namespace
}  // namespace kamgw::bus
