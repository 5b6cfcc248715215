#include "core/bus/lane_stats.hpp"

namespace kamgw::bus {

std::string_view lane_state_name(LaneState state) {
    switch (state) {
        case LaneState::created:
            return "created";
        case LaneState::starting:
            return "starting";
        case LaneState::running:
            return "running";
        case LaneState::retrying:
            return "retrying";
        case LaneState::disabled:
            return "disabled";
        case LaneState::draining:
            return "draining";
        case LaneState::stopped:
            return "stopped";
    }
    return "created";
}

std::size_t DrainReport::undelivered_batches() const {
    std::size_t total = 0;
    for (const LaneDrain& lane : lanes) total += lane.undelivered_batches;
    return total;
}

}  // namespace kamgw::bus
