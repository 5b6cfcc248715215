// The reading bus: meter sessions publish batches and statuses; every sink gets them through
// its own lane (see lane.hpp), so no sink can hold up a meter or another sink.
//
// With HostServices::state_root set, each lane keeps a disk spool in
// <state_root>/sinks/<instance>/spool/: batches its full queue evicts, and those still queued
// at stop(), wait there and are delivered first (in order) when the sink takes writes again,
// also after a restart. Without it they are dropped, counted and logged.
#pragma once

#include <chrono>
#include <memory>
#include <vector>

#include "core/bus/host_services.hpp"
#include "core/bus/lane_stats.hpp"
#include "core/config/config.hpp"
#include "kamgw/plugin.hpp"
#include "kamgw/sink.hpp"

namespace kamgw::bus {

class Lane;

class ReadingBus {
public:
    explicit ReadingBus(HostServices services);
    ~ReadingBus();  // stops with no drain time if stop() was not called
    ReadingBus(const ReadingBus&) = delete;
    ReadingBus& operator=(const ReadingBus&) = delete;

    // Takes ownership of the sink; lane settings from `cfg` (batch_size 0 -> `defaults.batch_size`,
    // flush_interval unset -> `defaults.flush_interval`). Call before start().
    void add_lane(std::unique_ptr<Sink> sink, const config::SinkConfig& cfg, const LaneDefaults& defaults);
    // One worker thread per lane; each calls Sink::start on its own thread.
    void start();
    // Never blocks on a sink; thread-safe.
    void publish(ReadingBatch batch);
    // Latest per meter wins; thread-safe.
    void publish_status(const MeterStatus& status);
    // SIGHUP: every lane calls Sink::reopen on its own thread.
    void reopen();
    // Stops accepting, lets lanes drain until the deadline, calls Sink::stop, joins the threads.
    // Returns what was still queued (and is lost) per lane; the caller logs it too.
    DrainReport stop(std::chrono::milliseconds drain_timeout);
    [[nodiscard]] std::vector<LaneStats> stats() const;

    // How long stop() waits past the drain deadline for a sink to return from a call it is in.
    static constexpr std::chrono::milliseconds call_grace{5000};

private:
    std::shared_ptr<const HostServices> services_;
    std::vector<std::shared_ptr<Lane>> lanes_;
    bool started_ = false;
    bool stopped_ = false;
};

}  // namespace kamgw::bus
