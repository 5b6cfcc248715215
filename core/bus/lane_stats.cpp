#include "core/bus/lane_stats.hpp"

#include <algorithm>

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
        case LaneState::start_failed:
            return "start_failed";
        case LaneState::draining:
            return "draining";
        case LaneState::stopped:
            return "stopped";
    }
    return "created";
}

std::size_t DrainReport::left_batches() const {
    std::size_t total = 0;
    for (const LaneDrain& lane : lanes) total += lane.left_batches;
    return total;
}

bool DrainReport::abandoned() const {
    return std::any_of(lanes.begin(), lanes.end(), [](const LaneDrain& l) { return l.abandoned; });
}

}  // namespace kamgw::bus
