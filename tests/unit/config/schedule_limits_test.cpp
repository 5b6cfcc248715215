// The meter interval's maximum is what keeps the scheduler's time arithmetic in range: at the
// limits of the configuration, the next read is always after now and at most one cadence away,
// today and in the last years the clock can represent.
#include <gtest/gtest.h>

#include "core/config/core_schemas.hpp"
#include "core/config/schema_validator.hpp"
#include "core/meter/schedule.hpp"

namespace kamgw::config {
namespace {

using std::chrono::milliseconds;

std::pair<milliseconds, milliseconds> interval_range() {
    for (const ConfigKey& key : meter_schema())
        if (key.key == "interval") {
            const auto [min, max] = value_bounds(key);
            return {milliseconds(min), milliseconds(max)};
        }
    return {};
}

TimePoint at_unix_seconds(std::int64_t seconds) { return TimePoint{std::chrono::seconds(seconds)}; }

TEST(ScheduleLimits, NextReadStaysWithinOneCadenceAtTheConfigLimits) {
    const auto [shortest, longest] = interval_range();
    ASSERT_EQ(longest, milliseconds(7LL * 86'400'000));
    const TimePoint moments[] = {Clock::now(), at_unix_seconds(0), at_unix_seconds(7'258'118'400) /* 2200-01-01 */};
    for (const milliseconds every : {shortest, longest, longest - milliseconds(1)}) {
        for (const TimePoint now : moments) {
            for (const bool align : {false, true}) {
                const milliseconds offset = meter::line_offset(100'000, milliseconds(5000), every);
                const meter::RegisterTrack read_before{60, every, now - every};
                const meter::RegisterTrack read_just_now{61, every, now};
                const meter::RegisterTrack never_read{62, every, std::nullopt};
                for (const auto& track : {read_before, read_just_now, never_read}) {
                    const meter::RegisterTrack tracks[] = {track};
                    const auto plan = meter::plan_poll(tracks, align, offset, now, now, milliseconds(2000));
                    // Woken right away again would mean a meter read back to back (the overflow).
                    EXPECT_GT(plan.next_wake, now) << every.count() << " align " << align;
                    EXPECT_LE(plan.next_wake - now, every + offset) << every.count() << " align " << align;
                }
            }
        }
    }
}

}  // namespace
}  // namespace kamgw::config
