// Scheduling as pure functions of (fake) time.
#include <gtest/gtest.h>

#include "core/meter/schedule.hpp"

namespace kamgw::meter {
namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;

const TimePoint midnight = TimePoint(std::chrono::sys_days(std::chrono::year(2026) / 11 / 25));

TEST(Schedule, NextBoundaryIsTheNextWallClockMultiple) {
    EXPECT_EQ(next_boundary(midnight + 10min, 1h, 0ms), midnight + 1h);
    EXPECT_EQ(next_boundary(midnight + 1h, 1h, 0ms), midnight + 2h);  // strictly after
    EXPECT_EQ(next_boundary(midnight + 59min + 59s, 1h, 0ms), midnight + 1h);
    EXPECT_EQ(next_boundary(midnight + 10min, 15min, 0ms), midnight + 15min);
    EXPECT_EQ(next_boundary(midnight + 10min, 1h, 30s), midnight + 1h + 30s);
    EXPECT_EQ(next_boundary(midnight + 10s, 1h, 30s), midnight + 30s);
}

TEST(Schedule, FirstReadAtStartPlusOffsetThenEveryInterval) {
    const TimePoint start = midnight + 7min + 13s;
    EXPECT_EQ(next_due(std::nullopt, 1h, false, 0ms, start), start);
    EXPECT_EQ(next_due(std::nullopt, 1h, false, 15s, start), start + 15s);
    EXPECT_EQ(next_due(start, 1h, false, 0ms, start), start + 1h);
    // Aligned: after the first read, the top of the next hour.
    EXPECT_EQ(next_due(start, 1h, true, 0ms, start), midnight + 1h);
    EXPECT_EQ(next_due(midnight + 1h, 1h, true, 0ms, start), midnight + 2h);
}

TEST(Schedule, PlanGroupsDueRegistersAndSleepsUntilTheNext) {
    const TimePoint start = midnight;
    std::vector<RegisterTrack> regs = {{60, 1h, std::nullopt}, {80, 15min, std::nullopt}, {1004, 1h, std::nullopt}};
    auto plan = plan_poll(regs, true, 0ms, start, start, 2s);
    EXPECT_EQ(plan.due, (std::vector<std::uint16_t>{60, 80, 1004}));
    EXPECT_EQ(plan.next_wake, midnight + 15min);

    for (auto& r : regs) r.last_read = start;
    // At 00:15 only the 15-minute register is due.
    plan = plan_poll(regs, true, 0ms, start, midnight + 15min, 2s);
    EXPECT_EQ(plan.due, (std::vector<std::uint16_t>{80}));
    EXPECT_EQ(plan.next_wake, midnight + 30min);
    regs[1].last_read = midnight + 15min;
    // Waking a little early (timer slack) still reads what is due within the slack.
    plan = plan_poll(regs, true, 0ms, start, midnight + 30min - 1s, 2s);
    EXPECT_EQ(plan.due, (std::vector<std::uint16_t>{80}));
    regs[1].last_read = midnight + 30min;
    regs[1].last_read = midnight + 45min;
    // At the top of the hour everything comes due together: one poll, one wake-up.
    plan = plan_poll(regs, true, 0ms, start, midnight + 1h, 2s);
    EXPECT_EQ(plan.due, (std::vector<std::uint16_t>{60, 80, 1004}));
    // Nothing due: wake at the earliest due time.
    plan = plan_poll(regs, true, 0ms, start, midnight + 50min, 2s);
    EXPECT_TRUE(plan.due.empty());
    EXPECT_EQ(plan.next_wake, midnight + 1h);
}

TEST(Schedule, UnalignedCadenceCountsFromTheLastRead) {
    const TimePoint start = midnight + 5min;
    std::vector<RegisterTrack> regs = {{60, 1h, start}};
    auto plan = plan_poll(regs, false, 0ms, start, start + 30min, 2s);
    EXPECT_TRUE(plan.due.empty());
    EXPECT_EQ(plan.next_wake, start + 1h);
    plan = plan_poll(regs, false, 0ms, start, start + 1h, 2s);
    EXPECT_EQ(plan.due.size(), 1u);
}

TEST(Schedule, ACadenceShorterThanTheSlackIsNotReadBackToBack) {
    // A 2 s interval with the default 2 s slack: right after a poll that took 300 ms nothing is
    // due, and the next poll is one cadence after the last.
    const TimePoint start = midnight;
    std::vector<RegisterTrack> regs = {{60, 2s, start}};
    const auto plan = plan_poll(regs, false, 0ms, start, start + 300ms, 2s);
    EXPECT_TRUE(plan.due.empty());
    EXPECT_EQ(plan.next_wake, start + 2s);
}

TEST(Schedule, LineGroupOffsetsSpreadMetersAndStayInsideTheInterval) {
    EXPECT_EQ(line_offset(0, 15s, 1h), 0ms);
    EXPECT_EQ(line_offset(1, 15s, 1h), 15s);
    EXPECT_EQ(line_offset(3, 15s, 1h), 45s);
    EXPECT_EQ(line_offset(5, 15s, 1min), 15s);  // wraps
    // Two meters on one line, aligned: their reads are 15 s apart, every hour.
    const TimePoint a = next_due(midnight + 3min, 1h, true, line_offset(0, 15s, 1h), midnight);
    const TimePoint b = next_due(midnight + 3min, 1h, true, line_offset(1, 15s, 1h), midnight);
    EXPECT_EQ(b - a, 15s);
}

TEST(Schedule, OnDemandIsRateLimited) {
    EXPECT_TRUE(on_demand_allowed(std::nullopt, midnight, 60s));
    EXPECT_FALSE(on_demand_allowed(midnight, midnight + 59s, 60s));
    EXPECT_TRUE(on_demand_allowed(midnight, midnight + 60s, 60s));
    EXPECT_TRUE(on_demand_allowed(midnight + 1h, midnight, 60s));  // the clock stepped back
}

TEST(Schedule, RequestsPerDay) {
    std::vector<RegisterTrack> seven(7, RegisterTrack{60, 1h, std::nullopt});
    EXPECT_DOUBLE_EQ(requests_per_day(seven), 24);
    std::vector<RegisterTrack> nine(9, RegisterTrack{60, 1h, std::nullopt});
    EXPECT_DOUBLE_EQ(requests_per_day(nine), 48);
    nine.push_back({80, 15min, std::nullopt});
    EXPECT_DOUBLE_EQ(requests_per_day(nine), 48 + 96);
}

TEST(Backoff, FullJitterGrowsExponentiallyUpToTheCap) {
    Backoff b(1000ms, 8000ms, 42);
    const milliseconds caps[] = {1000ms, 2000ms, 4000ms, 8000ms, 8000ms, 8000ms};
    for (auto cap : caps) {
        EXPECT_EQ(b.ceiling(), cap);
        const auto d = b.next();
        EXPECT_GE(d, 100ms);
        EXPECT_LE(d, cap);
    }
    b.reset();
    EXPECT_EQ(b.ceiling(), 1000ms);
    // Jitter really varies.
    Backoff c(1000ms, 60000ms, 7);
    std::set<long> seen;
    for (int i = 0; i < 20; ++i) {
        c.reset();
        for (int k = 0; k < 5; ++k) c.next();
        seen.insert(c.next().count());
    }
    EXPECT_GT(seen.size(), 10u);
}

}  // namespace
}  // namespace kamgw::meter
