// Statuses, idle ticks, reopen and shutdown: what reaches the sink, and on which thread.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "core/base/logging.hpp"
#include "core/bus/lane.hpp"
#include "core/bus/reading_bus.hpp"
#include "tests/unit/bus/recording_sink.hpp"

namespace kamgw::bus {
namespace {

using namespace std::chrono_literals;
using test::make_batch;
using test::make_status;
using test::recording_sink;
using test::sink_config;
using test::SinkRecord;

TEST(BusLifecycle, StatusesCoalesceToTheLatestPerMeter) {
    auto rec = std::make_shared<SinkRecord>();
    ReadingBus bus(HostServices{});
    bus.add_lane(recording_sink(rec), sink_config("rec", 1, 0ms), {});
    bus.start();
    rec->close_gate();
    bus.publish(make_batch(0));
    ASSERT_TRUE(rec->wait([](const SinkRecord& r) { return r.inside_write; }));  // the lane is busy
    bus.publish_status(make_status("house", MeterHealth::starting));
    bus.publish_status(make_status("house", MeterHealth::no_answer, "check the IR head"));
    bus.publish_status(make_status("garage", MeterHealth::link_down));
    bus.publish_status(make_status("house", MeterHealth::ok));
    rec->open_gate();

    ASSERT_TRUE(rec->wait([](const SinkRecord& r) { return r.statuses.size() >= 2; }));
    ASSERT_EQ(bus.stop(5s).left_batches(), 0u);
    const auto statuses = rec->read([](const SinkRecord& r) { return r.statuses; });
    ASSERT_EQ(statuses.size(), 2u);
    std::map<std::string, MeterHealth> got;
    for (const auto& s : statuses) got[s.meter.name] = s.health;
    EXPECT_EQ(got["house"], MeterHealth::ok);
    EXPECT_EQ(got["garage"], MeterHealth::link_down);
}

TEST(BusLifecycle, EveryCallReachesTheSinkOnItsOwnLaneThread) {
    auto a = std::make_shared<SinkRecord>(), b = std::make_shared<SinkRecord>();
    ReadingBus bus(HostServices{});
    bus.add_lane(recording_sink(a), sink_config("a", 1, 0ms), {});
    bus.add_lane(recording_sink(b), sink_config("b", 1, 0ms), {});
    bus.start();
    bus.publish(make_batch(0));
    bus.publish_status(make_status("house", MeterHealth::ok));
    bus.reopen();
    ASSERT_TRUE(a->wait([](const SinkRecord& r) { return r.reopens == 1 && r.written.size() == 1; }));
    ASSERT_TRUE(b->wait([](const SinkRecord& r) { return r.reopens == 1 && r.written.size() == 1; }));
    bus.stop(5s);

    const auto threads_a = a->read([](const SinkRecord& r) { return r.threads; });
    const auto threads_b = b->read([](const SinkRecord& r) { return r.threads; });
    ASSERT_EQ(threads_a.size(), 1u) << "start, write, status, reopen and stop all on one thread";
    ASSERT_EQ(threads_b.size(), 1u);
    EXPECT_NE(*threads_a.begin(), *threads_b.begin());
    EXPECT_EQ(threads_a.count(std::this_thread::get_id()), 0u);
    EXPECT_EQ(a->read([](const SinkRecord& r) { return r.stops; }), 1);
    EXPECT_EQ(a->read([](const SinkRecord& r) { return r.destroyed; }), 1);
}

// An idle lane sleeps: idle() comes when the sink asks for it (from any thread), not on a tick.
TEST(BusLifecycle, IdleComesWhenTheSinkAsksAndNotOnATick) {
    auto rec = std::make_shared<SinkRecord>();
    SinkHost* host = nullptr;
    rec->on_start = [&](SinkHost& h) { host = &h; };
    ReadingBus bus(HostServices{});
    bus.add_lane(recording_sink(rec), sink_config("rec", 1, 0ms), {});
    bus.start();
    ASSERT_TRUE(rec->wait([](const SinkRecord& r) { return r.starts == 1; }));
    std::this_thread::sleep_for(1500ms);
    EXPECT_EQ(rec->read([](const SinkRecord& r) { return r.idles; }), 0) << "no tick within the first seconds";

    std::thread([&] { host->wake(0ms); }).join();  // e.g. a client library's network thread
    ASSERT_TRUE(rec->wait([](const SinkRecord& r) { return r.idles == 1; }, 5s));
    const auto asked = std::chrono::steady_clock::now();
    host->wake(300ms);
    ASSERT_TRUE(rec->wait([](const SinkRecord& r) { return r.idles == 2; }, 5s));
    EXPECT_GE(std::chrono::steady_clock::now() - asked, 250ms);
}

// Waits on the record's condition variable, so a round trip takes microseconds, not a poll.
bool wait_for_change(SinkRecord& rec, const std::function<bool(const SinkRecord&)>& done) {
    std::unique_lock l(rec.mutex);
    return rec.changed.wait_for(l, 3s, [&] { return done(rec); });
}

// A batch or a wake() that arrives while the lane reads the journal (without its lock) must not
// be lost: the lane would otherwise sleep until its idle interval with a batch waiting.
TEST(BusLifecycle, NothingThatArrivesWhileTheLaneReadsTheJournalIsLost) {
    auto rec = std::make_shared<SinkRecord>();
    SinkHost* host = nullptr;
    rec->on_start = [&](SinkHost& h) { host = &h; };
    ReadingBus bus(HostServices{});
    bus.add_lane(recording_sink(rec), sink_config("rec", 1, 0ms), {});
    bus.start();
    ASSERT_TRUE(rec->wait([](const SinkRecord& r) { return r.starts == 1; }));
    constexpr std::uint64_t rounds = 20000;
    for (std::uint64_t i = 0; i < rounds; ++i) {
        // The write is recorded before the lane reads the journal again, so the next batch
        // lands while that read runs.
        bus.publish(make_batch(i));
        ASSERT_TRUE(wait_for_change(*rec, [i](const SinkRecord& r) { return r.written.size() == i + 1; }))
            << "batch " << i << " waited in the journal while the lane slept";
        if (i % 3 == 0) {
            const int idles = rec->read([](const SinkRecord& r) { return r.idles; });
            host->wake(0ms);
            ASSERT_TRUE(wait_for_change(*rec, [idles](const SinkRecord& r) { return r.idles > idles; }))
                << "wake() in round " << i << " was lost";
        }
    }
    EXPECT_EQ(bus.stop(5s).left_batches(), 0u);
}

TEST(BusLifecycle, StopDrainsWhatIsQueuedWithinTheTimeout) {
    auto rec = std::make_shared<SinkRecord>();
    ReadingBus bus(HostServices{});
    // An hour-long flush interval: only the drain can write these.
    bus.add_lane(recording_sink(rec), sink_config("rec", 2, std::chrono::hours(1)), {});
    bus.start();
    for (std::uint64_t i = 0; i < 5; ++i) bus.publish(make_batch(i));
    ASSERT_TRUE(rec->wait([](const SinkRecord& r) { return r.written.size() == 4; }));
    const DrainReport report = bus.stop(10s);
    EXPECT_EQ(report.left_batches(), 0u);
    ASSERT_EQ(report.lanes.size(), 1u);
    EXPECT_FALSE(report.lanes[0].abandoned);
    EXPECT_EQ(rec->read([](const SinkRecord& r) { return r.written; }), (std::vector<std::uint64_t>{0, 1, 2, 3, 4}));
    EXPECT_EQ(rec->read([](const SinkRecord& r) { return r.stops; }), 1);
    EXPECT_EQ(bus.stats().at(0).state, LaneState::stopped);

    bus.publish(make_batch(9));  // after stop: no lane takes it
    EXPECT_EQ(rec->written_count(), 5u);
}

TEST(BusLifecycle, StopReportsWhatADownSinkCouldNotTakeBeforeTheDeadline) {
    auto rec = std::make_shared<SinkRecord>();
    rec->answer = [](std::size_t, std::span<const ReadingBatch>) { return WriteResult::retry("hub down"); };
    auto cfg = sink_config("rec", 2, 0ms);
    cfg.retry_initial = 20ms;
    cfg.retry_max = 50ms;
    ReadingBus bus(HostServices{});
    bus.add_lane(recording_sink(rec), cfg, {});
    bus.start();
    for (std::uint64_t i = 0; i < 5; ++i) bus.publish(make_batch(i));
    ASSERT_TRUE(rec->wait([](const SinkRecord& r) { return r.write_sizes.size() >= 2; }));

    const auto before = std::chrono::steady_clock::now();
    const DrainReport report = bus.stop(300ms);
    const auto took = std::chrono::steady_clock::now() - before;
    ASSERT_EQ(report.lanes.size(), 1u);
    EXPECT_EQ(report.lanes[0].left_batches, 5u);
    EXPECT_FALSE(report.lanes[0].abandoned);
    EXPECT_EQ(report.left_batches(), 5u);
    EXPECT_FALSE(report.persistent) << "no state folder: what is left is lost, and the daemon says so";
    EXPECT_GE(took, 200ms) << "the lane kept trying until nearly the deadline";
    EXPECT_LT(took, 300ms + 100ms) << "and stopped within it";
    EXPECT_EQ(rec->read([](const SinkRecord& r) { return r.stops; }), 1);
}

TEST(BusLifecycle, ASinkHungInWriteIsLeftBehindAtTheDeadline) {
    auto rec = std::make_shared<SinkRecord>();
    LaneSettings settings;
    settings.name = "hung";
    settings.type = "recording";
    auto journal = std::make_shared<Journal>(JournalSettings{}, base::make_logger("journal"));
    journal->add_consumer("hung", "");
    auto lane =
        std::make_shared<Lane>(recording_sink(rec), settings, std::make_shared<HostServices>(), ConfigTable{}, journal);
    lane->start();
    rec->close_gate();
    journal->append(make_batch(0));
    journal->append(make_batch(1));
    ASSERT_TRUE(rec->wait([](const SinkRecord& r) { return r.inside_write; }));

    const auto now = std::chrono::steady_clock::now();
    lane->begin_stop(now);
    const LaneDrain report = lane->finish_stop(now + 200ms);
    EXPECT_LT(std::chrono::steady_clock::now() - now, 300ms);
    EXPECT_TRUE(report.abandoned);
    EXPECT_EQ(report.left_batches, 2u);  // one in flight, one waiting

    // Once the sink returns, the abandoned thread finishes on its own: stop, then destroy.
    std::weak_ptr<Lane> weak = lane;
    lane.reset();
    rec->open_gate();
    ASSERT_TRUE(rec->wait([](const SinkRecord& r) { return r.destroyed == 1; }));
    EXPECT_EQ(rec->read([](const SinkRecord& r) { return r.stops; }), 1);
    ASSERT_TRUE(kamgw::test::wait_until([&] { return weak.expired(); }, 20s));
}

TEST(BusLifecycle, StopWithoutStartReportsTheQueueAndNeverTouchesTheSink) {
    auto rec = std::make_shared<SinkRecord>();
    auto bus = std::make_unique<ReadingBus>(HostServices{});
    bus->add_lane(recording_sink(rec), sink_config("rec", 1, 0ms), {});
    bus->publish(make_batch(0));
    const DrainReport report = bus->stop(1s);
    EXPECT_EQ(report.left_batches(), 1u);
    bus.reset();
    EXPECT_EQ(rec->read([](const SinkRecord& r) { return r.starts + r.stops; }), 0);
    EXPECT_EQ(rec->read([](const SinkRecord& r) { return r.destroyed; }), 1);
}

TEST(BusLifecycle, DestroyingARunningBusStopsItsLanes) {
    auto rec = std::make_shared<SinkRecord>();
    {
        ReadingBus bus(HostServices{});
        bus.add_lane(recording_sink(rec), sink_config("rec", 1, 0ms), {});
        bus.start();
        bus.publish(make_batch(0));
        ASSERT_TRUE(rec->wait([](const SinkRecord& r) { return r.written.size() == 1; }));
    }
    EXPECT_EQ(rec->read([](const SinkRecord& r) { return r.stops; }), 1);
    EXPECT_EQ(rec->read([](const SinkRecord& r) { return r.destroyed; }), 1);
}

}  // namespace
}  // namespace kamgw::bus
