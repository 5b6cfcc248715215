// `kamgw run --once`: one poll of every configured meter, handed to the daemon's own bus (the
// journal and a lane per sink, exactly as in a long run), then the sinks drain and the exit code
// says what happened. Meters that share a line group are read one after another, as the daemon
// keeps them apart; groups are read at the same time.
#pragma once

#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "core/bus/lane_stats.hpp"
#include "core/config/config.hpp"
#include "core/host/plugin_registry.hpp"
#include "kamgw/reading.hpp"

namespace kamgw::app {

struct OncePoll {
    std::string meter;        // the [[meter]] name
    bool identified = false;  // the meter answered and a batch went to the sinks
    std::size_t missing = 0;  // registers of that batch that did not come back
    MeterHealth health = MeterHealth::starting;
    std::string detail;  // the session's sentence about the poll
};

struct OnceCallbacks {
    std::function<void(ReadingBatch)> publish;               // on the io thread
    std::function<void(const MeterStatus&)> publish_status;  // on the io thread
    std::function<void(std::vector<OncePoll>)> done;         // once, after the last meter
};

// Starts the polls on `io`; `done` gets one entry per meter, in configuration order.
void poll_every_meter_once(boost::asio::io_context& io, const std::vector<config::MeterConfig>& meters,
                           const host::PluginRegistry& registry, OnceCallbacks callbacks);

// What the sinks made of it, per lane: from the drain report and the lane's counters.
struct OnceDelivery {
    std::string sink;
    std::size_t left_batches = 0;  // still in the journal when the drain time was up
    bool abandoned = false;
    std::uint64_t dead_lettered = 0;
    std::uint64_t dropped = 0;
    [[nodiscard]] bool complete() const {
        return left_batches == 0 && !abandoned && dead_lettered == 0 && dropped == 0;
    }
};

std::vector<OnceDelivery> once_deliveries(const bus::DrainReport& report, std::span<const bus::LaneStats> stats);

// The exit code, worst first: not_delivered when a configured sink has no lane or a lane did
// not take everything, then meter_unavailable, then partial, else ok.
int once_exit_code(std::span<const OncePoll> polls, std::span<const OnceDelivery> deliveries,
                   std::size_t sinks_configured);

}  // namespace kamgw::app
