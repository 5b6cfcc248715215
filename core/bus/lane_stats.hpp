// What a lane reports about itself: for `kamgw` metrics, the health endpoint and the
// shutdown log.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kamgw/reading.hpp"

namespace kamgw::bus {

enum class LaneState : std::uint8_t {
    created,       // added, start() not called yet
    starting,      // Sink::start is running on the lane thread
    running,       // writing as batches arrive
    retrying,      // the last write failed; waiting out the backoff before the next attempt
    start_failed,  // Sink::start threw; it is tried again with backoff, readings wait in the journal
    draining,      // stop() was called; writing what is left until the deadline
    stopped,       // Sink::stop was called (or the lane never ran)
};

std::string_view lane_state_name(LaneState state);

struct LaneStats {
    std::string name;  // the sink instance name
    std::string type;  // the plugin name
    LaneState state = LaneState::created;
    std::size_t queued_batches = 0;  // in the journal, not yet delivered to this sink
    std::uint64_t queued_bytes = 0;
    std::optional<TimePoint> oldest_queued;  // poll time of the oldest of them
    std::uint64_t written_batches = 0;       // delivered (write() answered ok)
    std::uint64_t writes = 0;                // calls to write() that answered ok
    std::uint64_t retries = 0;               // writes that answered retry or threw
    std::uint64_t dropped = 0;               // lost before this sink had them (journal bounds, damage)
    std::uint64_t rejected = 0;              // batches the sink refused for good
    std::uint64_t dead_lettered = 0;         // rejected or past retry_limit, kept in the dead-letter file
    std::uint64_t start_failures = 0;        // Sink::start calls that threw
    std::uint64_t statuses = 0;              // status() calls made (after coalescing)
    std::optional<TimePoint> failing_since;  // first failure of the current streak (start or write)
    std::string last_error;                  // the sink's last retry/reject reason or exception text
    std::optional<TimePoint> last_error_time;
};

// What stop() left undelivered. With a disk journal it waits there and goes first at the next
// start; without one it is lost.
struct LaneDrain {
    std::string name;
    std::size_t left_batches = 0;
    bool abandoned = false;  // the sink was still inside a call at the deadline; its thread was left behind
};

struct DrainReport {
    std::vector<LaneDrain> lanes;
    bool persistent = false;  // what is left waits in a disk journal
    [[nodiscard]] std::size_t left_batches() const;
    [[nodiscard]] bool abandoned() const;
};

}  // namespace kamgw::bus
