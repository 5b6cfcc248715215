// What a lane does when its sink fails: retry with backoff, reject, full queue, exceptions.
#include <gtest/gtest.h>

#include <chrono>
#include <stdexcept>

#include "core/bus/batch_bytes.hpp"
#include "core/bus/batch_json.hpp"
#include "core/bus/journal_record.hpp"
#include "core/bus/reading_bus.hpp"
#include "tests/unit/bus/recording_sink.hpp"

namespace kamgw::bus {
namespace {

using namespace std::chrono_literals;
using test::make_batch;
using test::recording_sink;
using test::seq_of;
using test::sink_config;
using test::SinkRecord;

TEST(BusFailures, RetriedWritesDeliverEverythingInOrderOnceTheSinkRecovers) {
    auto rec = std::make_shared<SinkRecord>();
    rec->answer = [](std::size_t call, std::span<const ReadingBatch>) {
        return call < 4 ? WriteResult::retry("hub unreachable") : WriteResult::ok();
    };
    ReadingBus bus(HostServices{});
    bus.add_lane(recording_sink(rec), sink_config("rec", 2, 0ms), {});
    bus.start();
    for (std::uint64_t i = 0; i < 3; ++i) bus.publish(make_batch(i));
    // More batches arrive while the lane is backing off; they queue behind the failed ones.
    ASSERT_TRUE(rec->wait([](const SinkRecord& r) { return r.write_sizes.size() >= 2; }));
    for (std::uint64_t i = 3; i < 8; ++i) bus.publish(make_batch(i));

    ASSERT_TRUE(rec->wait([](const SinkRecord& r) { return r.written.size() == 8; }));
    EXPECT_EQ(rec->read([](const SinkRecord& r) { return r.written; }),
              (std::vector<std::uint64_t>{0, 1, 2, 3, 4, 5, 6, 7}));
    // Every failed attempt and the first good one started with the same head of the queue.
    const auto attempted = rec->read([](const SinkRecord& r) { return r.attempted; });
    const auto sizes = rec->read([](const SinkRecord& r) { return r.write_sizes; });
    ASSERT_GE(sizes.size(), 5u);
    std::size_t offset = 0;
    for (std::size_t call = 0; call < 5; ++call) {
        EXPECT_EQ(attempted.at(offset), 0u) << "call " << call;
        offset += sizes[call];
    }
    const LaneStats s = bus.stats().at(0);
    EXPECT_EQ(s.retries, 4u);
    EXPECT_EQ(s.dropped, 0u);
    EXPECT_EQ(s.written_batches, 8u);
    EXPECT_EQ(s.last_error, "hub unreachable");
    EXPECT_EQ(s.state, LaneState::running);
}

TEST(BusFailures, RetriesBackOffBetweenAttempts) {
    auto rec = std::make_shared<SinkRecord>();
    std::vector<std::chrono::steady_clock::time_point> times;
    rec->answer = [&times](std::size_t call, std::span<const ReadingBatch>) {
        times.push_back(std::chrono::steady_clock::now());
        return call < 6 ? WriteResult::retry("busy") : WriteResult::ok();
    };
    auto cfg = sink_config("rec", 1, 0ms);
    cfg.retry_initial = 40ms;
    cfg.retry_max = 80ms;
    ReadingBus bus(HostServices{});
    bus.add_lane(recording_sink(rec), cfg, {});
    bus.start();
    bus.publish(make_batch(0));
    ASSERT_TRUE(rec->wait([](const SinkRecord& r) { return r.written.size() == 1; }));
    ASSERT_EQ(times.size(), 7u);
    // Each wait is random in [0, ceiling]; the sum over six failures has a lower bound only in
    // expectation, so assert the upper bound plus "not a tight loop" over the whole streak.
    const auto total = times.back() - times.front();
    EXPECT_GT(total, 20ms) << "six retries with ceilings 40,80,80,80,80,80 ms are not a tight loop";
    EXPECT_LT(total, 20s);
    EXPECT_EQ(bus.stats().at(0).retries, 6u);
}

TEST(BusFailures, ASinksBacklogBoundSkipsTheOldestForItAndCountsThem) {
    auto rec = std::make_shared<SinkRecord>();
    auto cfg = sink_config("rec", 1, 0ms);
    cfg.queue_max_batches = 3;
    ReadingBus bus(HostServices{});
    bus.add_lane(recording_sink(rec), cfg, {});
    bus.start();
    rec->close_gate();
    bus.publish(make_batch(0));
    ASSERT_TRUE(rec->wait([](const SinkRecord& r) { return r.inside_write; }));  // 0 is in flight
    for (std::uint64_t i = 1; i <= 6; ++i) bus.publish(make_batch(i));
    rec->open_gate();

    ASSERT_TRUE(rec->wait([](const SinkRecord& r) { return r.written.size() == 4; }));
    EXPECT_EQ(rec->read([](const SinkRecord& r) { return r.written; }), (std::vector<std::uint64_t>{0, 4, 5, 6}));
    const LaneStats s = bus.stats().at(0);
    EXPECT_EQ(s.dropped, 3u);
    EXPECT_EQ(s.written_batches, 4u);
}

TEST(BusFailures, AByteBoundKeepsTheNewestWhileTheSinkIsDown) {
    auto rec = std::make_shared<SinkRecord>();
    bool down = true;
    std::mutex m;
    rec->answer = [&](std::size_t, std::span<const ReadingBatch>) {
        std::lock_guard l(m);
        return down ? WriteResult::retry("down") : WriteResult::ok();
    };
    auto cfg = sink_config("rec", 10, 0ms);
    cfg.queue_max_bytes = 5 * encode_journal_record(1, 0, batch_to_json_line(make_batch(10))).size();
    ReadingBus bus(HostServices{});
    bus.add_lane(recording_sink(rec), cfg, {});
    bus.start();
    for (std::uint64_t i = 0; i < 20; ++i) bus.publish(make_batch(i));
    ASSERT_TRUE(rec->wait([](const SinkRecord& r) { return !r.write_sizes.empty(); }));
    {
        std::lock_guard l(m);
        down = false;
    }
    ASSERT_TRUE(kamgw::test::wait_until([&] { return bus.stats().at(0).queued_batches == 0; }, 20s));
    const auto written = rec->read([](const SinkRecord& r) { return r.written; });
    ASSERT_FALSE(written.empty());
    EXPECT_LE(written.size(), 5u + 10u);  // what fit, plus at most one batch in flight
    EXPECT_EQ(written.back(), 19u) << "the newest batch survives";
    EXPECT_EQ(bus.stats().at(0).dropped + written.size(), 20u) << "every batch is either written or counted";
}

TEST(BusFailures, RejectedBatchesAreCountedAndTheRestGoOn) {
    auto rec = std::make_shared<SinkRecord>();
    rec->answer = [](std::size_t, std::span<const ReadingBatch> batches) {
        return seq_of(batches.front()) % 2 == 1 ? WriteResult::reject("field type conflict") : WriteResult::ok();
    };
    ReadingBus bus(HostServices{});
    bus.add_lane(recording_sink(rec), sink_config("rec", 1, 0ms), {});
    bus.start();
    for (std::uint64_t i = 0; i < 5; ++i) bus.publish(make_batch(i));
    ASSERT_TRUE(rec->wait([](const SinkRecord& r) { return r.write_sizes.size() == 5; }));
    EXPECT_EQ(rec->read([](const SinkRecord& r) { return r.written; }), (std::vector<std::uint64_t>{0, 2, 4}));
    const LaneStats s = bus.stats().at(0);
    EXPECT_EQ(s.rejected, 2u);
    EXPECT_EQ(s.retries, 0u);
    EXPECT_EQ(s.written_batches, 3u);
    EXPECT_EQ(s.last_error, "field type conflict");
    EXPECT_EQ(s.dropped, 2u) << "without a state folder there is no dead-letter file to keep them";
    // Rejected batches are not retried: five batches, five calls.
    EXPECT_EQ(rec->read([](const SinkRecord& r) { return r.attempted; }), (std::vector<std::uint64_t>{0, 1, 2, 3, 4}));
}

TEST(BusFailures, AThrowingWriteIsRetriedAndTheOtherLaneDelivers) {
    auto bad = std::make_shared<SinkRecord>(), good = std::make_shared<SinkRecord>();
    bad->answer = [](std::size_t call, std::span<const ReadingBatch>) -> WriteResult {
        if (call < 2) throw std::runtime_error("socket closed under us");
        return WriteResult::ok();
    };
    ReadingBus bus(HostServices{});
    bus.add_lane(recording_sink(bad), sink_config("bad", 1, 0ms), {});
    bus.add_lane(recording_sink(good), sink_config("good", 1, 0ms), {});
    bus.start();
    for (std::uint64_t i = 0; i < 3; ++i) bus.publish(make_batch(i));
    ASSERT_TRUE(good->wait([](const SinkRecord& r) { return r.written.size() == 3; }));
    ASSERT_TRUE(bad->wait([](const SinkRecord& r) { return r.written.size() == 3; }));
    EXPECT_EQ(bad->read([](const SinkRecord& r) { return r.written; }), (std::vector<std::uint64_t>{0, 1, 2}));
    const LaneStats s = bus.stats().at(0);
    EXPECT_EQ(s.retries, 2u);
    EXPECT_NE(s.last_error.find("socket closed under us"), std::string::npos) << s.last_error;
}

TEST(BusFailures, AFailingStartIsRetriedWithBackoffAndItsReadingsWait) {
    auto flaky = std::make_shared<SinkRecord>(), good = std::make_shared<SinkRecord>();
    flaky->throw_in_first_starts = 2;
    ReadingBus bus(HostServices{});
    bus.add_lane(recording_sink(flaky), sink_config("flaky", 1, 0ms), {});
    bus.add_lane(recording_sink(good), sink_config("good", 1, 0ms), {});
    bus.publish(make_batch(0));  // before start: waits in the journal
    bus.start();
    for (std::uint64_t i = 1; i < 4; ++i) bus.publish(make_batch(i));
    bus.publish_status(test::make_status("house", MeterHealth::ok));

    ASSERT_TRUE(good->wait([](const SinkRecord& r) { return r.written.size() == 4 && r.statuses.size() == 1; }));
    ASSERT_TRUE(flaky->wait([](const SinkRecord& r) { return r.written.size() == 4; }));
    EXPECT_EQ(flaky->read([](const SinkRecord& r) { return r.written; }), (std::vector<std::uint64_t>{0, 1, 2, 3}));
    EXPECT_EQ(flaky->read([](const SinkRecord& r) { return r.starts; }), 3);
    const LaneStats s = bus.stats().at(0);
    EXPECT_EQ(s.start_failures, 2u);
    EXPECT_EQ(s.dropped, 0u);
    EXPECT_EQ(s.state, LaneState::running);
    EXPECT_FALSE(s.failing_since.has_value());
    bus.stop(5s);
    EXPECT_EQ(flaky->read([](const SinkRecord& r) { return r.stops; }), 1);
}

TEST(BusFailures, ASinkThatNeverStartsHoldsItsReadingsAndStopsPromptly) {
    auto broken = std::make_shared<SinkRecord>(), good = std::make_shared<SinkRecord>();
    broken->throw_in_start = true;
    ReadingBus bus(HostServices{});
    bus.add_lane(recording_sink(broken), sink_config("broken", 1, 0ms), {});
    bus.add_lane(recording_sink(good), sink_config("good", 1, 0ms), {});
    bus.start();
    ASSERT_TRUE(kamgw::test::wait_until([&] { return bus.stats().at(0).state == LaneState::start_failed; }, 20s));
    for (std::uint64_t i = 0; i < 4; ++i) bus.publish(make_batch(i));
    ASSERT_TRUE(good->wait([](const SinkRecord& r) { return r.written.size() == 4; }));
    const LaneStats s = bus.stats().at(0);
    EXPECT_EQ(s.queued_batches, 4u);
    EXPECT_EQ(s.dropped, 0u);
    EXPECT_TRUE(s.failing_since.has_value());
    EXPECT_NE(s.last_error.find("cannot reach the hub"), std::string::npos) << s.last_error;
    const auto before = std::chrono::steady_clock::now();
    const DrainReport report = bus.stop(2s);
    EXPECT_LT(std::chrono::steady_clock::now() - before, 2s);
    EXPECT_EQ(report.lanes.at(0).left_batches, 4u);
    EXPECT_EQ(broken->read([](const SinkRecord& r) { return r.write_sizes.size() + r.statuses.size(); }), 0u);
    EXPECT_EQ(broken->read([](const SinkRecord& r) { return r.stops; }), 0)
        << "a sink that never started is not stopped";
    EXPECT_EQ(broken->read([](const SinkRecord& r) { return r.destroyed; }), 1);
}

}  // namespace
}  // namespace kamgw::bus
