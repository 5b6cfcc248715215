// The reading bus: meter sessions publish batches and statuses; every batch is appended once
// to the journal (journal.hpp), and every sink reads it through its own lane (lane.hpp) and
// cursor, so no sink can hold up a meter or another sink, and nothing journaled is lost when
// kamgw stops, crashes or loses power.
//
// Each sink keeps its state in <state_root>/sinks/<instance>/: its journal position
// (`cursor`) and the batches it will never take (`dead-letter.jsonl`).
#pragma once

#include <chrono>
#include <memory>
#include <vector>

#include "core/bus/host_services.hpp"
#include "core/bus/journal.hpp"
#include "core/bus/lane_stats.hpp"
#include "core/config/config.hpp"
#include "kamgw/plugin.hpp"
#include "kamgw/sink.hpp"

namespace kamgw::bus {

class Lane;

class ReadingBus {
public:
    // Without a journal the bus makes its own: on disk in <state_root>/journal with the
    // default bounds, or in memory when there is no state_root. The daemon passes the
    // gateway's journal, which outlives a bus replaced on reload.
    explicit ReadingBus(HostServices services, std::shared_ptr<Journal> journal = nullptr);
    ~ReadingBus();  // stops with no drain time if stop() was not called
    ReadingBus(const ReadingBus&) = delete;
    ReadingBus& operator=(const ReadingBus&) = delete;

    // Takes ownership of the sink; lane settings from `cfg` (batch_size 0 -> `defaults.batch_size`,
    // flush_interval unset -> `defaults.flush_interval`). Call before start().
    void add_lane(std::unique_ptr<Sink> sink, const config::SinkConfig& cfg, const LaneDefaults& defaults);
    // One worker thread per lane; each calls Sink::start on its own thread.
    void start();
    // Appends to the journal (synced per its policy) and wakes the lanes; returns once the
    // batch is as safe as the journal makes it. Never waits for a sink; thread-safe.
    void publish(ReadingBatch batch);
    // Latest per meter wins; thread-safe.
    void publish_status(const MeterStatus& status);
    // SIGHUP: every lane calls Sink::reopen on its own thread.
    void reopen();
    // Lanes deliver what the journal held when this was called until `drain_timeout` is
    // nearly over, then call Sink::stop; a lane still inside a sink call at the end of
    // `drain_timeout` is left behind. Returns what is left per lane (still in the journal).
    DrainReport stop(std::chrono::milliseconds drain_timeout);
    [[nodiscard]] std::vector<LaneStats> stats() const;
    [[nodiscard]] Journal& journal() { return *journal_; }
    [[nodiscard]] std::vector<std::string> lane_names() const;

private:
    std::shared_ptr<const HostServices> services_;
    std::shared_ptr<Journal> journal_;
    bool owns_journal_ = false;
    std::vector<std::shared_ptr<Lane>> lanes_;
    bool started_ = false;
    bool stopped_ = false;
};

}  // namespace kamgw::bus
