// One sink's lane: its own thread that reads the journal from the sink's cursor, batches,
// writes, retries with backoff and moves the cursor on what the sink took.
//
// Every call on the Sink happens on the lane thread, one at a time (the promise in
// kamgw/sink.hpp). Publishing never touches a lane: a meter appends to the journal, which
// wakes the lanes, so a slow or hung sink delays nobody but itself.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "core/bus/backoff.hpp"
#include "core/bus/dead_letter.hpp"
#include "core/bus/host_services.hpp"
#include "core/bus/journal.hpp"
#include "core/bus/lane_host.hpp"
#include "core/bus/lane_stats.hpp"
#include "core/config/config.hpp"
#include "kamgw/plugin.hpp"
#include "kamgw/sink.hpp"

namespace kamgw::bus {

struct LaneSettings {
    std::string name;  // instance name: logs, stats, state folder, journal consumer
    std::string type;  // plugin name
    std::size_t batch_size = 1;
    std::chrono::milliseconds flush_interval{0};
    // This sink's own bound on what waits for it (0: only the journal's bounds apply).
    std::size_t backlog_max_batches = 0;
    std::uint64_t backlog_max_bytes = 0;
    std::chrono::milliseconds retry_initial{1000};
    std::chrono::milliseconds retry_max{300000};
    std::uint32_t retry_limit = 0;  // failed attempts before a batch goes to the dead letters; 0: never
    // Sink::idle() when nothing else happens and the sink asked for nothing sooner.
    std::chrono::milliseconds idle_interval{120000};
    std::optional<std::uint64_t> backoff_seed;  // fixed for reproducible tests
    std::filesystem::path cursor_file;          // empty: the position lives in memory only
    std::filesystem::path dead_letter_file;     // empty: dead letters are only counted
    std::uint64_t dead_letter_max_bytes = 64ull * 1024 * 1024;

    // The [[sink]] table's lane keys over the plugin's suggestions.
    static LaneSettings from(const config::SinkConfig& cfg, const LaneDefaults& defaults);
};

class Lane : public std::enable_shared_from_this<Lane> {
public:
    using SteadyClock = std::chrono::steady_clock;

    Lane(std::unique_ptr<Sink> sink, LaneSettings settings, std::shared_ptr<const HostServices> services,
         ConfigTable options, std::shared_ptr<Journal> journal);
    ~Lane();
    Lane(const Lane&) = delete;
    Lane& operator=(const Lane&) = delete;

    // Starts the lane thread, which takes the journal cursor and calls Sink::start. Once only.
    void start();
    void publish_status(const MeterStatus& status);
    void reopen();

    // Stops taking new work: the lane writes what was in the journal when this was called
    // (flush interval ignored) until `deadline`, then calls Sink::stop.
    void begin_stop(SteadyClock::time_point deadline);
    // Waits until the lane thread has ended, at most until `wait_limit`. A thread still inside
    // a sink call by then is left running on its own (it holds the lane alive) and the report
    // says so: shutdown must not hang on a hub that never answers. What it did not deliver
    // stays in the journal.
    LaneDrain finish_stop(SteadyClock::time_point wait_limit);

    [[nodiscard]] LaneStats stats() const;
    [[nodiscard]] const LaneSettings& settings() const { return settings_; }

private:
    void run();
    bool attach_journal(std::unique_lock<std::mutex>& lock);
    bool start_sink(std::unique_lock<std::mutex>& lock);
    void loop(std::unique_lock<std::mutex>& lock);
    void write(std::unique_lock<std::mutex>& lock, std::vector<JournalEntry> entries);
    void advance(std::unique_lock<std::mutex>& lock, std::uint64_t next);
    void dead_letter(std::unique_lock<std::mutex>& lock, std::span<const ReadingBatch> batches, const std::string& why);
    void skip(std::unique_lock<std::mutex>& lock, std::uint64_t count, const char* why);
    void deliver_statuses(std::unique_lock<std::mutex>& lock);
    void call_sink(std::unique_lock<std::mutex>& lock, const char* what, const std::function<void()>& call);
    void request_idle(std::chrono::milliseconds within);
    void note_error(const std::string& message);
    void note_success();
    // Sleeps until `until` or until something happens (a batch, a status, a stop) after the
    // event count was `seen`.
    void wait(std::unique_lock<std::mutex>& lock, SteadyClock::time_point until, std::uint64_t seen);
    void log_unlocked(std::unique_lock<std::mutex>& lock, spdlog::level::level_enum level, const std::string& line);

    LaneSettings settings_;
    std::shared_ptr<spdlog::logger> log_;
    LaneHost host_;
    std::unique_ptr<Sink> sink_;  // touched only by the lane thread once it runs
    std::shared_ptr<Journal> journal_;
    DeadLetterFile dead_letters_;

    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::condition_variable done_;
    std::thread thread_;

    // Guarded by mutex_.
    std::uint64_t events_ = 0;                             // bumped by anything that should wake the lane
    std::map<std::string, MeterStatus> pending_statuses_;  // by meter name: latest wins
    bool reopen_requested_ = false;
    bool stopping_ = false;
    bool finished_ = false;
    bool abandoned_ = false;
    SteadyClock::time_point drain_deadline_{};
    std::uint64_t drain_target_ = 0;  // the journal head when stop began
    SteadyClock::time_point retry_at_{};
    std::uint64_t next_ = 0;      // the first sequence number this sink has not taken
    std::uint32_t attempts_ = 0;  // failed attempts at the current head batches
    Backoff backoff_;
    LaneState state_ = LaneState::created;
    LaneStats counters_;  // name/type/state/queue fields are filled in by stats()
    bool skipping_logged_ = false;
    SteadyClock::time_point idle_requested_ = SteadyClock::time_point::max();  // Sink asked via wake()
    LaneDrain report_;

    // Lane thread only.
    SteadyClock::time_point last_activity_{};
};

}  // namespace kamgw::bus
