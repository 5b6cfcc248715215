// Times as nanoseconds since the epoch: how the journal's records and the batch JSON keep them.
#pragma once

#include <kamgw/reading.hpp>

#include <chrono>
#include <cstdint>

namespace kamgw::bus {

inline std::int64_t to_ns(TimePoint t) {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

inline TimePoint from_ns(std::int64_t ns) {
    return TimePoint(std::chrono::duration_cast<Clock::duration>(std::chrono::nanoseconds(ns)));
}

}  // namespace kamgw::bus
