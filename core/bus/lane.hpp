// One sink's lane: its own thread, a bounded queue, batching, retry with backoff, drops.
//
// Every call on the Sink happens on the lane thread, one at a time (the promise in
// kamgw/sink.hpp). Producers only take the lane's mutex for a push and a notify, so a slow
// or hung sink delays nobody but itself.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "core/bus/backoff.hpp"
#include "core/bus/batch_queue.hpp"
#include "core/bus/host_services.hpp"
#include "core/bus/lane_host.hpp"
#include "core/bus/lane_stats.hpp"
#include "core/bus/spool.hpp"
#include "core/config/config.hpp"
#include "kamgw/plugin.hpp"
#include "kamgw/sink.hpp"

namespace kamgw::bus {

struct LaneSettings {
    std::string name;  // instance name: logs, stats, state folder
    std::string type;  // plugin name
    std::size_t batch_size = 1;
    std::chrono::milliseconds flush_interval{0};
    std::size_t queue_max_batches = 10000;
    std::uint64_t queue_max_bytes = 64ull * 1024 * 1024;
    std::chrono::milliseconds retry_initial{1000};
    std::chrono::milliseconds retry_max{300000};
    std::chrono::milliseconds idle_interval{1000};
    std::chrono::milliseconds drop_log_interval{10000};  // at most one "dropped" line per interval
    std::optional<std::uint64_t> backoff_seed;           // fixed for reproducible tests
    // Where batches that do not fit in memory, or are still queued at shutdown, wait on disk.
    // Empty: no spool; they are dropped (counted and logged).
    std::filesystem::path spool_dir;
    std::uint64_t spool_max_bytes = 256ull * 1024 * 1024;
    std::size_t spool_segment_batches = 1000;

    // The [[sink]] table's lane keys over the plugin's suggestions.
    static LaneSettings from(const config::SinkConfig& cfg, const LaneDefaults& defaults);
};

class Lane : public std::enable_shared_from_this<Lane> {
public:
    using SteadyClock = std::chrono::steady_clock;

    Lane(std::unique_ptr<Sink> sink, LaneSettings settings, std::shared_ptr<const HostServices> services,
         ConfigTable options);
    ~Lane();
    Lane(const Lane&) = delete;
    Lane& operator=(const Lane&) = delete;

    // Starts the lane thread, which calls Sink::start first. Once only.
    void start();
    void publish(ReadingBatch batch);
    void publish_status(const MeterStatus& status);
    void reopen();

    // Stops accepting; the lane writes what is queued (flush interval ignored) until `deadline`.
    void begin_stop(SteadyClock::time_point deadline);
    // Waits until the lane thread has called Sink::stop, at most until `wait_limit`. A thread still
    // inside a sink call by then is left running on its own (it holds the lane alive) and the
    // report says so: shutdown must not hang on a hub that never answers.
    LaneDrain finish_stop(SteadyClock::time_point wait_limit);

    [[nodiscard]] LaneStats stats() const;
    [[nodiscard]] const LaneSettings& settings() const { return settings_; }

private:
    void run();
    void loop(std::unique_lock<std::mutex>& lock);
    void write_head(std::unique_lock<std::mutex>& lock, bool from_replay);
    void deliver_statuses(std::unique_lock<std::mutex>& lock);
    void call_sink(std::unique_lock<std::mutex>& lock, const char* what, const std::function<void()>& call);
    void disable(std::unique_lock<std::mutex>& lock, const std::string& why);
    // Spool handling (lane_spool.cpp); all on the lane thread.
    void open_spool();  // without the lock held
    [[nodiscard]] bool spool_pending() const { return !spool_ && spool_enabled_; }
    void spill_overflow(std::unique_lock<std::mutex>& lock);
    void load_replay(std::unique_lock<std::mutex>& lock);
    void replay_written(std::unique_lock<std::mutex>& lock);
    // At shutdown or when disabled: what is still in memory goes to disk; returns what was lost.
    std::size_t persist_remaining(std::unique_lock<std::mutex>& lock);
    [[nodiscard]] bool replay_pending() const { return replay_segment_.has_value(); }
    void note_error(const std::string& message);
    // A "dropped" line when one is due; composed under the lock, written after unlocking.
    std::optional<std::string> take_drop_log_locked(SteadyClock::time_point now, bool force);
    void log_drops_if_due(std::unique_lock<std::mutex>& lock, bool force = false);

    LaneSettings settings_;
    std::shared_ptr<spdlog::logger> log_;
    LaneHost host_;
    std::unique_ptr<Sink> sink_;  // touched only by the lane thread once it runs

    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::condition_variable done_;
    std::thread thread_;

    // Guarded by mutex_.
    BatchQueue queue_;
    std::map<std::string, MeterStatus> pending_statuses_;  // by meter name: latest wins
    bool reopen_requested_ = false;
    bool stopping_ = false;
    bool disabled_ = false;  // Sink::start threw
    bool finished_ = false;
    bool abandoned_ = false;  // finish_stop() left the thread behind
    SteadyClock::time_point drain_deadline_{};
    SteadyClock::time_point retry_at_{};
    std::size_t in_flight_batches_ = 0;
    std::uint64_t in_flight_bytes_ = 0;
    Backoff backoff_;
    LaneState state_ = LaneState::created;
    LaneStats counters_;  // name/type/state/queue fields are filled in by stats()
    std::uint64_t unlogged_full_drops_ = 0;
    std::uint64_t unlogged_disabled_drops_ = 0;
    std::optional<SteadyClock::time_point> last_drop_log_;
    LaneDrain undelivered_;  // filled by the lane thread when it ends

    bool spool_enabled_ = false;                   // evictions go to overflow_ instead of being dropped
    BatchQueue overflow_;                          // evicted from queue_, waiting to be written to the spool
    std::deque<BatchQueue::Entry> replay_;         // read back from the spool; older than queue_
    std::optional<std::uint64_t> replay_segment_;  // the spool segment replay_ came from
    std::size_t spooled_ = 0;                      // batches on disk, as of the last spool operation

    // Lane thread only.
    SteadyClock::time_point last_activity_{};
    std::unique_ptr<Spool> spool_;
    SteadyClock::time_point spool_retry_at_{};  // when the spool folder was busy: next attempt
    bool spool_busy_logged_ = false;
};

}  // namespace kamgw::bus
