// MeterRunner on a real io_context with the simulated meter: scheduled polls, on-demand reads
// and their rate limit, and reconnection after the link breaks.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <mutex>
#include <thread>

#include "core/meter/lag_watch.hpp"
#include "core/meter/meter_runner.hpp"
#include "tests/support/process.hpp"
#include "tests/unit/meter/test_helpers.hpp"

namespace kamgw::meter {
namespace {

using namespace std::chrono_literals;

RunnerTuning quick_tuning() {
    RunnerTuning t;
    t.backoff_initial = 50ms;
    t.backoff_max = 200ms;
    t.line_spacing = 0ms;
    t.batch_slack = 10ms;
    t.session.retry_quiet = 30ms;
    t.seed = 3;
    return t;
}

// Runs the io_context on a thread and collects what the runner reports.
struct RunnerHarness {
    boost::asio::io_context io;
    std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work{io.get_executor()};
    std::thread thread;
    std::mutex mutex;
    std::vector<ReadingBatch> batches;
    std::vector<MeterStatus> statuses;

    RunnerCallbacks callbacks() {
        return RunnerCallbacks{[this](ReadingBatch b) {
                                   std::lock_guard lock(mutex);
                                   batches.push_back(std::move(b));
                               },
                               [this](const MeterStatus& s) {
                                   std::lock_guard lock(mutex);
                                   statuses.push_back(s);
                               }};
    }
    void run() {
        thread = std::thread([this] { io.run(); });
    }
    std::size_t batch_count() {
        std::lock_guard lock(mutex);
        return batches.size();
    }
    ~RunnerHarness() {
        work.reset();
        io.stop();
        if (thread.joinable()) thread.join();
    }
};

TEST(MeterRunner, PollsOnItsIntervalAndReportsBatchesAndStatus) {
    RunnerHarness h;
    test::SimLink link;
    link.options = test::fast_sim();
    auto cfg = test::meter_config("house", {60, 68, 1004});
    cfg.interval = 300ms;
    MeterRunner runner(h.io.get_executor(), cfg, link.factory(), h.callbacks(), 10s, quick_tuning());
    runner.start();
    h.run();
    ASSERT_TRUE(kamgw::test::wait_until([&] { return h.batch_count() >= 3; }, 20s));
    runner.stop();
    std::lock_guard lock(h.mutex);
    for (const auto& b : h.batches) {
        EXPECT_EQ(b.readings.size(), 3u);
        EXPECT_FALSE(b.on_demand);
        EXPECT_EQ(b.meter.serial, "12345678");
    }
    // Polls are an interval apart (give or take the io thread's scheduling).
    const auto gap = h.batches[2].started - h.batches[1].started;
    EXPECT_GE(gap, 250ms);
    EXPECT_LT(gap, 5s);
    ASSERT_FALSE(h.statuses.empty());
    EXPECT_EQ(h.statuses.back().health, MeterHealth::ok);
    EXPECT_EQ(runner.health(), MeterHealth::ok);
    EXPECT_EQ(runner.identity().serial, "12345678");
    EXPECT_GE(runner.counters().polls, 3u);
}

TEST(MeterRunner, OnDemandReadsAreRateLimited) {
    RunnerHarness h;
    test::SimLink link;
    link.options = test::fast_sim();
    auto cfg = test::meter_config("house", {60, 68});
    cfg.interval = std::chrono::hours(1);
    MeterRunner runner(h.io.get_executor(), cfg, link.factory(), h.callbacks(), 500ms, quick_tuning());
    runner.start();
    h.run();
    // The start-up poll counts as a read: an immediate request is refused.
    ASSERT_TRUE(kamgw::test::wait_until([&] { return h.batch_count() >= 1; }, 20s));
    EXPECT_EQ(runner.request_read(), ReadRequestResult::rate_limited);
    // After the minimum interval it is accepted, and the batch is marked on-demand.
    ASSERT_TRUE(kamgw::test::wait_until([&] { return runner.request_read() == ReadRequestResult::accepted; }, 20s));
    ASSERT_TRUE(kamgw::test::wait_until([&] { return h.batch_count() >= 2; }, 20s));
    EXPECT_EQ(runner.request_read(), ReadRequestResult::rate_limited);
    {
        std::lock_guard lock(h.mutex);
        EXPECT_TRUE(h.batches[1].on_demand);
        EXPECT_EQ(h.batches[1].readings.size(), 2u);
    }
    runner.stop();
    EXPECT_EQ(runner.request_read(), ReadRequestResult::unknown_meter);
}

TEST(MeterRunner, ReconnectsWithBackoffAfterTheLinkBreaks) {
    RunnerHarness h;
    test::SimLink link;
    link.options = test::fast_sim();
    link.control->fail_opens = 2;     // the first two connection attempts fail,
    link.control->fail_write_at = 2;  // then the first register request breaks the link
    auto cfg = test::meter_config("house", {60, 68});
    cfg.interval = std::chrono::hours(1);  // recovery must come from the backoff, not the schedule
    MeterRunner runner(h.io.get_executor(), cfg, link.factory(), h.callbacks(), 10s, quick_tuning());
    runner.start();
    h.run();
    ASSERT_TRUE(kamgw::test::wait_until(
        [&] {
            std::lock_guard lock(h.mutex);
            return !h.statuses.empty() && h.statuses.back().health == MeterHealth::ok;
        },
        20s));
    runner.stop();
    std::lock_guard lock(h.mutex);
    ASSERT_GE(h.statuses.size(), 4u);
    EXPECT_EQ(h.statuses[0].health, MeterHealth::link_down);
    EXPECT_EQ(h.statuses[1].health, MeterHealth::link_down);
    EXPECT_EQ(h.statuses[2].health, MeterHealth::link_down);
    EXPECT_EQ(h.statuses[3].health, MeterHealth::ok);
    // The failed polls never identified a meter on their connection: no batch without a serial.
    ASSERT_GE(h.batches.size(), 1u);
    EXPECT_EQ(h.batches[0].readings.size(), 2u);
    EXPECT_EQ(h.batches[0].meter.serial, "12345678");
    EXPECT_EQ(link.control->opens, 4);
    EXPECT_EQ(runner.counters().reconnects, 3u);  // every attempt after the first, failed ones too
}

// One runner on a simulated meter with `faults`, started; stopped and destroyed in order.
struct StartedRunner {
    RunnerHarness h;
    test::SimLink link;
    std::unique_ptr<MeterRunner> runner;

    StartedRunner(const char* faults, std::initializer_list<std::uint16_t> ids, std::chrono::milliseconds interval) {
        link.options = test::fast_sim(kmp::parse_faults(faults));
        auto cfg = test::meter_config("house", ids);
        cfg.interval = interval;
        runner =
            std::make_unique<MeterRunner>(h.io.get_executor(), cfg, link.factory(), h.callbacks(), 10s, quick_tuning());
        runner->start();
        h.run();
    }
};

// The time a reopen is announced for is the time it happens.
TEST(MeterRunner, ALinkIsTriedAgainWhenTheLogSays) {
    RunnerHarness h;
    test::SimLink link;
    link.options = test::fast_sim();
    link.control->fail_opens = 2;
    auto cfg = test::meter_config("house", {60});
    cfg.interval = std::chrono::hours(1);  // the backoff decides
    auto tuning = quick_tuning();
    tuning.backoff_initial = 600ms;
    tuning.backoff_max = 2s;
    MeterRunner runner(h.io.get_executor(), cfg, link.factory(), h.callbacks(), 10s, tuning);
    runner.start();
    h.run();
    RunnerSnapshot announced;
    ASSERT_TRUE(kamgw::test::wait_until(
        [&] {
            announced = runner.snapshot();
            return announced.next_attempt.has_value();
        },
        10s));
    const auto next_open = static_cast<std::size_t>(announced.counters.reconnects) + 1;
    ASSERT_TRUE(kamgw::test::wait_until([&] { return runner.counters().reconnects >= next_open; }, 10s));
    runner.stop();
    h.work.reset();
    h.io.stop();
    if (h.thread.joinable()) h.thread.join();
    ASSERT_GT(link.control->open_times.size(), next_open);
    const auto gap = link.control->open_times[next_open] - *announced.next_attempt;
    EXPECT_GE(gap, -5ms);
    EXPECT_LT(gap, 100ms);
}

// A link that stays open but never answers is closed after three failed requests and
// reopened by the schedule; nothing is published for a meter that was never identified.
TEST(MeterRunner, ASilentLinkIsReopenedByTheSchedule) {
    StartedRunner r("silent", {60, 68}, 300ms);
    ASSERT_TRUE(kamgw::test::wait_until([&] { return r.runner->counters().reconnects >= 2; }, 20s));
    r.runner->stop();
    std::lock_guard lock(r.h.mutex);
    EXPECT_TRUE(r.h.batches.empty()) << "a meter that was never identified published a batch";
    ASSERT_FALSE(r.h.statuses.empty());
    EXPECT_EQ(r.h.statuses.back().health, MeterHealth::no_answer);
    EXPECT_GE(r.link.control->opens, 3);
}

// A silent battery meter is not asked more often than its schedule asks.
TEST(MeterRunner, ASilentMeterIsNotAskedFasterThanItsSchedule) {
    StartedRunner r("silent", {60, 68}, std::chrono::hours(1));
    ASSERT_TRUE(kamgw::test::wait_until([&] { return r.runner->counters().polls >= 1; }, 20s));
    std::this_thread::sleep_for(1500ms);  // many backoff periods of quick_tuning()
    r.runner->stop();
    EXPECT_EQ(r.runner->counters().polls, 1u);
    EXPECT_EQ(r.runner->counters().requests, 2u);  // GetSerialNo and its retry
}

// Garbled answers mean the meter is awake: identification is tried again soon.
TEST(MeterRunner, AMeterWhoseIdentificationFailsPublishesNothingUntilIdentified) {
    StartedRunner r("corrupt=2", {60, 68}, std::chrono::hours(1));  // both answers to GetSerialNo
    ASSERT_TRUE(kamgw::test::wait_until([&] { return r.h.batch_count() >= 1; }, 20s));
    r.runner->stop();
    std::lock_guard lock(r.h.mutex);
    ASSERT_GE(r.h.statuses.size(), 2u);
    EXPECT_EQ(r.h.statuses[0].health, MeterHealth::no_answer);
    EXPECT_EQ(r.h.batches[0].meter.serial, "12345678");
    EXPECT_EQ(r.h.batches[0].meter.model, "MULTICAL 403 (simulated)");
    EXPECT_EQ(r.h.batches[0].readings.size(), 2u);
}

TEST(MeterRunner, AConfiguredRegisterTheMeterLacksIsListed) {
    StartedRunner r("omit=63", {60, 63}, 200ms);
    ASSERT_TRUE(kamgw::test::wait_until([&] { return r.h.batch_count() >= 2; }, 20s));
    r.runner->stop();
    const auto snapshot = r.runner->snapshot();
    EXPECT_EQ(snapshot.health, MeterHealth::ok);
    EXPECT_EQ(snapshot.missing_registers, (std::vector<std::string>{"cooling_energy"}));
}

TEST(LagWatch, WarnsOncePerEpisodeAndEndsItWhenPollsAreOnTimeAgain) {
    LagWatch watch(std::chrono::hours(1));
    EXPECT_EQ(watch.tolerance(), 6min);  // a tenth of the interval
    EXPECT_EQ(watch.observe(1min), LagWatch::Change::none);
    EXPECT_EQ(watch.observe(7min), LagWatch::Change::fell_behind);
    EXPECT_EQ(watch.observe(9min), LagWatch::Change::none);  // the same episode
    EXPECT_EQ(watch.observe(4min), LagWatch::Change::none);  // above half the bound: still behind
    EXPECT_TRUE(watch.behind());
    EXPECT_EQ(watch.observe(2min), LagWatch::Change::caught_up);
    EXPECT_EQ(LagWatch(2s).tolerance(), 2s);  // short intervals: at least 2 s
}

// Three meters on one line whose polls take longer together than their interval: each poll
// starts late, and the runners say so.
TEST(MeterRunner, MetersTheLineCannotServeInTheirIntervalAreReportedAsBehind) {
    RunnerHarness h;
    std::vector<std::unique_ptr<MeterRunner>> runners;
    std::vector<test::SimLink> links(3);
    for (std::size_t i = 0; i < links.size(); ++i) {
        links[i].options = test::fast_sim(kmp::parse_faults("silent"));
        auto cfg = test::meter_config("m" + std::to_string(i), {60});
        cfg.interval = 500ms;
        cfg.timeout = 600ms;  // a silent poll takes ~1.2 s: three of them ~3.6 s per round
        cfg.line_group = "crowded";
        runners.push_back(std::make_unique<MeterRunner>(h.io.get_executor(), cfg, links[i].factory(), h.callbacks(),
                                                        10s, quick_tuning()));
    }
    for (auto& r : runners) r->start();
    h.run();
    EXPECT_TRUE(kamgw::test::wait_until(
        [&] {
            for (auto& r : runners)
                if (r->snapshot().behind) return true;
            return false;
        },
        30s));
    bool behind = false;
    for (auto& r : runners) {
        const auto s = r->snapshot();
        behind = behind || (s.behind && s.poll_lag > 2s);
        r->stop();
    }
    EXPECT_TRUE(behind);
}

TEST(MeterRunner, MetersOnOneLineNeverTalkAtTheSameTime) {
    RunnerHarness h;
    test::SimLink link_a, link_b;
    link_a.options = test::fast_sim();
    link_b.options = test::fast_sim();
    link_b.options.serial = 87654321;
    auto a = test::meter_config("a", {60, 68});
    auto b = test::meter_config("b", {60, 68});
    a.interval = b.interval = 200ms;
    a.line_group = b.line_group = "test-line";
    MeterRunner ra(h.io.get_executor(), a, link_a.factory(), h.callbacks(), 10s, quick_tuning());
    MeterRunner rb(h.io.get_executor(), b, link_b.factory(), h.callbacks(), 10s, quick_tuning());
    ra.start();
    rb.start();
    h.run();
    ASSERT_TRUE(kamgw::test::wait_until([&] { return h.batch_count() >= 6; }, 20s));
    ra.stop();
    rb.stop();
    std::lock_guard lock(h.mutex);
    std::vector<std::pair<TimePoint, TimePoint>> spans;
    for (const auto& batch : h.batches) spans.emplace_back(batch.started, batch.finished);
    std::sort(spans.begin(), spans.end());
    for (std::size_t i = 1; i < spans.size(); ++i) EXPECT_LE(spans[i - 1].second, spans[i].first);
}

}  // namespace
}  // namespace kamgw::meter
