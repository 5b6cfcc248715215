// The bus over a disk journal: what a sink did not take waits for it across restarts, batches
// it will never take go to its dead-letter file, and a new sink starts with what comes next.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/bus/reading_bus.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/unit/bus/recording_sink.hpp"

namespace kamgw::bus {
namespace {

using namespace std::chrono_literals;
using test::make_batch;
using test::range;
using test::recording_sink;
using test::seq_of;
using test::sink_config;
using test::SinkRecord;

HostServices services_in(const kamgw::test::TempDir& dir) {
    HostServices s;
    s.state_root = dir.path();
    return s;
}

std::vector<std::string> lines_of(const std::filesystem::path& file) {
    std::vector<std::string> out;
    std::istringstream in(kamgw::test::read_file(file));
    for (std::string line; std::getline(in, line);)
        if (!line.empty()) out.push_back(line);
    return out;
}

TEST(BusJournal, WhatASinkDidNotTakeGoesFirstAtTheNextStartInOrder) {
    kamgw::test::TempDir dir;
    {
        auto rec = std::make_shared<SinkRecord>();
        rec->answer = [](std::size_t, std::span<const ReadingBatch>) { return WriteResult::retry("hub down"); };
        ReadingBus bus(services_in(dir));
        bus.add_lane(recording_sink(rec), sink_config("rec", 4, 0ms), {});
        bus.start();
        for (std::uint64_t i = 0; i < 20; ++i) bus.publish(make_batch(i));
        ASSERT_TRUE(rec->wait([](const SinkRecord& r) { return !r.write_sizes.empty(); }));
        const DrainReport report = bus.stop(200ms);
        EXPECT_TRUE(report.persistent);
        EXPECT_EQ(report.left_batches(), 20u);
    }
    auto rec = std::make_shared<SinkRecord>();
    ReadingBus bus(services_in(dir));
    bus.add_lane(recording_sink(rec), sink_config("rec", 4, 0ms), {});
    bus.start();
    for (std::uint64_t i = 20; i < 25; ++i) bus.publish(make_batch(i));
    ASSERT_TRUE(rec->wait([](const SinkRecord& r) { return r.written.size() == 25; }));
    EXPECT_EQ(rec->read([](const SinkRecord& r) { return r.written; }), range(0, 25));
    EXPECT_EQ(bus.stats().at(0).dropped, 0u);
    EXPECT_EQ(bus.stop(5s).left_batches(), 0u);
}

TEST(BusJournal, EachSinkHasItsOwnPositionAndOneWritePerBatch) {
    kamgw::test::TempDir dir;
    auto fast = std::make_shared<SinkRecord>(), down = std::make_shared<SinkRecord>();
    auto is_down = std::make_shared<std::atomic<bool>>(true);
    down->answer = [is_down](std::size_t, std::span<const ReadingBatch>) {
        return is_down->load() ? WriteResult::retry("hub down") : WriteResult::ok();
    };
    ReadingBus bus(services_in(dir));
    bus.add_lane(recording_sink(fast), sink_config("fast", 1, 0ms), {});
    bus.add_lane(recording_sink(down), sink_config("down", 1, 0ms), {});
    bus.start();
    for (std::uint64_t i = 0; i < 10; ++i) bus.publish(make_batch(i));
    ASSERT_TRUE(fast->wait([](const SinkRecord& r) { return r.written.size() == 10; }));
    const JournalStats st = bus.journal().stats();
    EXPECT_EQ(st.appended, 10u);
    EXPECT_EQ(st.syncs, 10u) << "one sync per poll, however many sinks";
    EXPECT_EQ(bus.stats().at(1).queued_batches, 10u);
    ASSERT_TRUE(bus.stats().at(1).oldest_queued.has_value());
    is_down->store(false);
    ASSERT_TRUE(down->wait([](const SinkRecord& r) { return r.written.size() == 10; }));
    EXPECT_EQ(down->read([](const SinkRecord& r) { return r.written; }), range(0, 10));
}

TEST(BusJournal, RejectedBatchesGoToTheDeadLetterFileAndTheLaneMovesOn) {
    kamgw::test::TempDir dir;
    auto rec = std::make_shared<SinkRecord>();
    rec->answer = [](std::size_t, std::span<const ReadingBatch> batches) {
        return seq_of(batches.front()) % 2 == 1 ? WriteResult::reject("field type conflict") : WriteResult::ok();
    };
    ReadingBus bus(services_in(dir));
    bus.add_lane(recording_sink(rec), sink_config("rec", 1, 0ms), {});
    bus.start();
    for (std::uint64_t i = 0; i < 5; ++i) bus.publish(make_batch(i));
    ASSERT_TRUE(rec->wait([](const SinkRecord& r) { return r.write_sizes.size() == 5; }));
    ASSERT_TRUE(kamgw::test::wait_until([&] { return bus.stats().at(0).dead_lettered == 2; }, 20s));
    EXPECT_EQ(bus.stats().at(0).dropped, 0u);
    const auto lines = lines_of(dir.path() / "sinks" / "rec" / "dead-letter.jsonl");
    ASSERT_EQ(lines.size(), 2u);
    const auto first = nlohmann::json::parse(lines[0]);
    EXPECT_NE(first.at("reason").get<std::string>().find("field type conflict"), std::string::npos);
    EXPECT_EQ(first.at("batch").at("readings").at(0).at("m").get<std::uint64_t>(), 1u);
}

TEST(BusJournal, ABatchThatFailsRetryLimitTimesIsDeadLetteredAndTheRestFollowInOrder) {
    kamgw::test::TempDir dir;
    auto rec = std::make_shared<SinkRecord>();
    rec->answer = [](std::size_t, std::span<const ReadingBatch> batches) {
        return seq_of(batches.front()) == 3 ? WriteResult::retry("timeout") : WriteResult::ok();
    };
    auto cfg = sink_config("rec", 1, 0ms);
    cfg.retry_limit = 3;
    ReadingBus bus(services_in(dir));
    bus.add_lane(recording_sink(rec), cfg, {});
    bus.start();
    for (std::uint64_t i = 0; i < 6; ++i) bus.publish(make_batch(i));
    ASSERT_TRUE(rec->wait([](const SinkRecord& r) { return r.written.size() == 5; }));
    EXPECT_EQ(rec->read([](const SinkRecord& r) { return r.written; }), (std::vector<std::uint64_t>{0, 1, 2, 4, 5}));
    const LaneStats s = bus.stats().at(0);
    EXPECT_EQ(s.retries, 3u);
    EXPECT_EQ(s.dead_lettered, 1u);
    EXPECT_EQ(lines_of(dir.path() / "sinks" / "rec" / "dead-letter.jsonl").size(), 1u);
}

TEST(BusJournal, ANewSinkStartsWithWhatComesNextAndAnOldOneCatchesUp) {
    kamgw::test::TempDir dir;
    {
        auto a = std::make_shared<SinkRecord>();
        a->answer = [](std::size_t, std::span<const ReadingBatch>) { return WriteResult::retry("down"); };
        ReadingBus bus(services_in(dir));
        bus.add_lane(recording_sink(a), sink_config("a", 1, 0ms), {});
        bus.start();
        for (std::uint64_t i = 0; i < 3; ++i) bus.publish(make_batch(i));
        bus.stop(100ms);
    }
    auto a = std::make_shared<SinkRecord>(), b = std::make_shared<SinkRecord>();
    ReadingBus bus(services_in(dir));
    bus.add_lane(recording_sink(a), sink_config("a", 1, 0ms), {});
    bus.add_lane(recording_sink(b), sink_config("b", 1, 0ms), {});
    bus.start();
    bus.publish(make_batch(3));
    ASSERT_TRUE(a->wait([](const SinkRecord& r) { return r.written.size() == 4; }));
    ASSERT_TRUE(b->wait([](const SinkRecord& r) { return r.written.size() == 1; }));
    EXPECT_EQ(a->read([](const SinkRecord& r) { return r.written; }), range(0, 4));
    EXPECT_EQ(b->read([](const SinkRecord& r) { return r.written; }), range(3, 4));
}

// A batch in flight while more arrive, with the sink failing in between: every batch reaches
// the sink once it recovers, and in publish order.
TEST(BusJournal, OrderHoldsThroughRetriesAndArrivalsDuringAWrite) {
    kamgw::test::TempDir dir;
    auto rec = std::make_shared<SinkRecord>();
    rec->answer = [](std::size_t call, std::span<const ReadingBatch>) {
        return call % 3 == 1 ? WriteResult::retry("flaky") : WriteResult::ok();
    };
    ReadingBus bus(services_in(dir));
    bus.add_lane(recording_sink(rec), sink_config("rec", 3, 0ms), {});
    bus.start();
    rec->close_gate();
    bus.publish(make_batch(0));
    ASSERT_TRUE(rec->wait([](const SinkRecord& r) { return r.inside_write; }));
    for (std::uint64_t i = 1; i < 40; ++i) bus.publish(make_batch(i));
    rec->open_gate();
    ASSERT_TRUE(rec->wait([](const SinkRecord& r) { return r.written.size() == 40; }));
    EXPECT_EQ(rec->read([](const SinkRecord& r) { return r.written; }), range(0, 40));
}

// Every published batch is accounted for, per sink: delivered, dead-lettered, dropped by a
// bound, or still waiting.
TEST(BusJournal, TheCountsAddUp) {
    kamgw::test::TempDir dir;
    auto rec = std::make_shared<SinkRecord>();
    rec->answer = [](std::size_t call, std::span<const ReadingBatch> batches) {
        if (seq_of(batches.front()) % 7 == 3) return WriteResult::reject("bad point");
        return call % 4 == 1 ? WriteResult::retry("flaky") : WriteResult::ok();
    };
    auto cfg = sink_config("rec", 2, 0ms);
    cfg.queue_max_batches = 20;
    ReadingBus bus(services_in(dir));
    bus.add_lane(recording_sink(rec), cfg, {});
    bus.start();
    rec->close_gate();
    constexpr std::uint64_t n = 100;
    for (std::uint64_t i = 0; i < n; ++i) bus.publish(make_batch(i));
    rec->open_gate();
    ASSERT_TRUE(kamgw::test::wait_until([&] { return bus.stats().at(0).queued_batches == 0; }, 20s));
    const LaneStats s = bus.stats().at(0);
    EXPECT_GT(s.dropped, 0u);
    EXPECT_GT(s.dead_lettered, 0u);
    EXPECT_EQ(s.written_batches + s.dead_lettered + s.dropped + s.queued_batches, bus.journal().stats().appended);
    EXPECT_EQ(bus.journal().stats().appended, n);
}

}  // namespace
}  // namespace kamgw::bus
