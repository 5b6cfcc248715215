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
    created,   // added, start() not called yet
    starting,  // Sink::start is running on the lane thread
    running,   // writing as batches arrive
    retrying,  // the last write failed; waiting out the backoff before the next attempt
    disabled,  // Sink::start threw; everything published to this lane is dropped
    draining,  // stop() was called; writing what is left until the deadline
    stopped,   // Sink::stop was called (or the lane never ran)
};

std::string_view lane_state_name(LaneState state);

struct LaneStats {
    std::string name;  // the sink instance name
    std::string type;  // the plugin name
    LaneState state = LaneState::created;
    std::size_t queued_batches = 0;  // waiting in memory, including a write in progress or awaiting retry
    std::uint64_t queued_bytes = 0;
    std::uint64_t written_batches = 0;  // delivered (write() answered ok)
    std::uint64_t writes = 0;           // calls to write() that answered ok
    std::uint64_t retries = 0;          // writes that answered retry or threw
    std::uint64_t dropped = 0;          // lost to a full queue, a disabled sink, or shutdown
    std::uint64_t rejected = 0;         // batches the sink refused for good
    std::uint64_t statuses = 0;         // status() calls made (after coalescing)
    std::size_t spooled_batches = 0;    // on disk in the spool, including a segment being replayed
    std::string last_error;             // the sink's last retry/reject reason or exception text
    std::optional<TimePoint> last_error_time;
};

// What stop() could not deliver. Undelivered batches are lost (the caller logs them too);
// spooled ones wait on disk and go first at the next start.
struct LaneDrain {
    std::string name;
    std::size_t undelivered_batches = 0;
    std::uint64_t undelivered_bytes = 0;
    std::size_t spooled_batches = 0;  // not delivered, but on disk in the spool for the next start
    bool abandoned = false;  // the sink was still inside a call after the grace period; its thread was left behind
};

struct DrainReport {
    std::vector<LaneDrain> lanes;
    [[nodiscard]] std::size_t undelivered_batches() const;
    [[nodiscard]] bool complete() const { return undelivered_batches() == 0; }
};

}  // namespace kamgw::bus
