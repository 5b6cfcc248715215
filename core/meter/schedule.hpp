// When to read what: pure functions of time, so the scheduler is tested with fake clocks.
//
// A meter is read every `interval`; registers may have their own cadence (`every`). With
// `align` the reads fall on wall-clock multiples of the cadence (the top of the hour for
// "1h"), counted from the Unix epoch in UTC. Meters that share a line get fixed offsets so
// their reads never collide. Link failures are retried with full-jitter exponential backoff.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <span>
#include <vector>

#include "kamgw/reading.hpp"

namespace kamgw::meter {

// The next wall-clock multiple of `every` (plus `offset`) strictly after `t`.
TimePoint next_boundary(TimePoint t, std::chrono::milliseconds every, std::chrono::milliseconds offset);

// When a register is next due. A register never read is due at `start + offset`; after a
// read it is due `every` later, or at the next aligned boundary after the read.
TimePoint next_due(std::optional<TimePoint> last_read, std::chrono::milliseconds every, bool align,
                   std::chrono::milliseconds offset, TimePoint start);

struct RegisterTrack {
    std::uint16_t id = 0;
    std::chrono::milliseconds every{0};  // the cadence; never zero here (the meter's interval filled in)
    std::optional<TimePoint> last_read;  // last poll that asked for it
};

struct PollPlan {
    std::vector<std::uint16_t> due;  // to read now, in configuration order
    TimePoint next_wake;             // when the next register falls due (after these are read)
};

// Registers due at `now` (or within `slack` after it, so registers with nearby due times share
// one poll and the meter wakes once), and when to look again.
PollPlan plan_poll(std::span<const RegisterTrack> registers, bool align, std::chrono::milliseconds offset,
                   TimePoint start, TimePoint now, std::chrono::milliseconds slack);

// The offset of the slot-th of `count` meters sharing a line: `spacing` apart, wrapped so it
// stays below the interval.
std::chrono::milliseconds line_offset(std::size_t slot, std::chrono::milliseconds spacing,
                                      std::chrono::milliseconds interval);

// An on-demand read is allowed when the meter was not read within `min_interval`.
bool on_demand_allowed(std::optional<TimePoint> last_read, TimePoint now, std::chrono::milliseconds min_interval);

// Requests a day this schedule costs the meter's battery: identification (2 requests) per
// connection is not counted, every poll costs one request per started group of 8 registers.
double requests_per_day(std::span<const RegisterTrack> registers);

// Full-jitter exponential backoff: the n-th delay is uniform in [floor, min(max, initial * 2^n)].
class Backoff {
public:
    Backoff(std::chrono::milliseconds initial, std::chrono::milliseconds max, std::uint64_t seed);
    std::chrono::milliseconds next();
    void reset() { attempt_ = 0; }
    [[nodiscard]] unsigned attempt() const { return attempt_; }
    // The upper bound of the next delay.
    [[nodiscard]] std::chrono::milliseconds ceiling() const;

private:
    std::chrono::milliseconds initial_, max_;
    unsigned attempt_ = 0;
    std::mt19937_64 rng_;
};

}  // namespace kamgw::meter
