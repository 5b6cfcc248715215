// The reading journal: every batch a meter publishes is appended here once, before the poll
// counts as done, and every sink lane reads it through its own persisted cursor. The design
// and its invariants are in core/bus/README.md.
//
// Thread-safe: meter sessions append on the io thread, lanes read and acknowledge on theirs.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "kamgw/reading.hpp"

namespace spdlog {
class logger;
}

namespace kamgw::bus {

enum class JournalSync : std::uint8_t {
    batch,     // fdatasync after every appended batch: a power cut loses at most the poll in flight
    interval,  // fdatasync at most every sync_interval: fewer flash writes, a power cut loses up to that
};

struct JournalSettings {
    std::filesystem::path dir;  // empty: memory only, nothing survives a restart
    std::uint64_t max_bytes = 256ull * 1024 * 1024;
    std::chrono::seconds max_age{std::chrono::hours(24 * 30)};
    JournalSync sync = JournalSync::batch;
    std::chrono::milliseconds sync_interval{1000};
    // The recent tail is served from memory; batches the disk could not take wait here too.
    std::uint64_t memory_max_bytes = 16ull * 1024 * 1024;
    std::uint64_t segment_bytes = 4ull * 1024 * 1024;
    std::chrono::milliseconds write_retry{5000};     // after a failed write, the next attempt
    std::chrono::milliseconds cursor_persist{1000};  // a cursor is written at most this often while busy
};

struct JournalEntry {
    std::uint64_t seq = 0;
    std::shared_ptr<const ReadingBatch> batch;
    std::uint64_t bytes = 0;  // the record's size in the journal
    // When it was appended in this run; the epoch for batches read back from an earlier run.
    std::chrono::steady_clock::time_point appended{};
};

struct JournalRead {
    std::vector<JournalEntry> entries;
    std::uint64_t skipped = 0;  // sequence numbers at or after `from` that are gone (evicted, lost, damaged)
};

struct JournalBacklog {
    std::size_t batches = 0;
    std::uint64_t bytes = 0;
    std::optional<TimePoint> oldest;  // poll time of the oldest
};

struct JournalStats {
    std::uint64_t head = 0;        // the next sequence number
    std::uint64_t appended = 0;    // batches appended in this run
    std::uint64_t disk_bytes = 0;  // records in the segment files
    std::size_t segments = 0;
    std::uint64_t memory_bytes = 0;
    std::size_t pending = 0;          // batches not yet safely on disk
    std::uint64_t write_errors = 0;   // failed create/write/sync/truncate calls
    std::uint64_t evicted = 0;        // batches the size or age bound deleted before every sink had them
    std::uint64_t dropped = 0;        // batches lost from memory while the disk could not take them
    std::uint64_t damaged = 0;        // records found torn or corrupt (a power cut's torn tail)
    std::uint64_t bytes_written = 0;  // record bytes written in this run
    std::uint64_t syncs = 0;
    bool persistent = false;  // has a folder it can use
    bool writable = true;     // false while writes fail (disk full, read-only)
    std::string error;        // why not writable
};

class Journal {
public:
    using SteadyClock = std::chrono::steady_clock;

    Journal(JournalSettings settings, std::shared_ptr<spdlog::logger> log);
    ~Journal();
    Journal(const Journal&) = delete;
    Journal& operator=(const Journal&) = delete;

    // Indexes what an earlier run left and cuts a torn tail. A folder that cannot be used at
    // all is logged and the journal keeps batches in memory only.
    void open();
    // Syncs, persists every cursor; appends after this still work but stay in memory.
    void close();

    // Never throws and never blocks on a sink. Returns the batch's sequence number.
    std::uint64_t append(ReadingBatch batch);
    // Retries a disk that failed, syncs on the interval policy, applies the age bound and
    // writes cursors that changed. Returns when it wants to be called again.
    SteadyClock::time_point maintain();
    // When maintain() wants to run next, without doing anything.
    [[nodiscard]] SteadyClock::time_point next_due() const;

    // Consumers: one per sink. A new one (no cursor file yet) starts at the head.
    void add_consumer(const std::string& name, const std::filesystem::path& cursor_file);
    // From now on only these consumers hold batches back from deletion.
    void retain_consumers(const std::vector<std::string>& names);
    // One lane at a time reads as a consumer; false while another lane holds it. `wake` is
    // called (without any journal lock held) after every append.
    bool attach(const std::string& name, std::function<void()> wake);
    void detach(const std::string& name);
    [[nodiscard]] std::uint64_t cursor(const std::string& name) const;
    // Everything before `next` reached the consumer's sink.
    void ack(const std::string& name, std::uint64_t next, bool persist_now);

    // Up to `max` entries with seq >= from, oldest first.
    JournalRead read(std::uint64_t from, std::size_t max);
    [[nodiscard]] JournalBacklog backlog(std::uint64_t from) const;
    // The first sequence number to keep so that at most `max_batches` / `max_bytes` (0: no
    // bound) remain from `from` on.
    [[nodiscard]] std::uint64_t trim(std::uint64_t from, std::size_t max_batches, std::uint64_t max_bytes) const;
    [[nodiscard]] std::uint64_t head() const;
    [[nodiscard]] JournalStats stats() const;
    [[nodiscard]] const JournalSettings& settings() const { return settings_; }

private:
    struct RecordLoc {
        std::uint64_t seq = 0;
        std::uint64_t offset = 0;
        std::uint32_t size = 0;
        std::int64_t time_ns = 0;
    };
    struct Segment {
        std::filesystem::path path;
        std::vector<RecordLoc> records;
        std::uint64_t bytes = 0;  // of the records in the index
    };
    enum class EntryState : std::uint8_t { pending, written, durable };
    struct MemoryEntry {
        JournalEntry entry;
        std::int64_t time_ns = 0;
        EntryState state = EntryState::pending;
        std::string record;  // the encoded record while it is not durable
        std::uint64_t memory = 0;
    };
    struct Consumer {
        std::filesystem::path cursor_file;
        std::uint64_t next = 0;
        std::uint64_t persisted = 0;
        SteadyClock::time_point persisted_at{};
        bool attached = false;
        bool retained = true;
        std::function<void()> wake;
    };

    // journal_files.cpp: the segment files.
    void recover_locked();
    std::size_t scan_segment(Segment& segment);
    bool ensure_segment_locked(std::uint64_t seq);
    void close_segment_locked();
    void write_pending_locked(SteadyClock::time_point now);
    bool sync_locked();
    void rollback_unsynced_locked();
    void note_write_failure_locked(const std::string& what, int error);
    void note_write_success_locked();
    void delete_segment_locked(std::size_t index);
    // The checked payloads of `locs` (nullopt where one does not check out), one open per call.
    [[nodiscard]] std::vector<std::optional<std::string>> read_payloads(const Segment& segment,
                                                                        std::span<const RecordLoc> locs) const;
    // journal_cursors.cpp
    void persist_cursor_locked(const std::string& name, Consumer& consumer);
    // journal.cpp
    [[nodiscard]] SteadyClock::time_point due_locked(SteadyClock::time_point now) const;
    void collect_locked(SteadyClock::time_point now);
    void evict_front_locked(const char* why);
    void enforce_memory_locked();
    [[nodiscard]] std::uint64_t min_cursor_locked() const;
    [[nodiscard]] std::uint64_t disk_bytes_locked() const;
    [[nodiscard]] std::uint64_t undelivered_bytes_locked() const;
    [[nodiscard]] std::uint64_t oldest_seq_locked() const;

    JournalSettings settings_;
    std::shared_ptr<spdlog::logger> log_;
    mutable std::mutex mutex_;

    std::uint64_t head_ = 1;
    bool persistent_ = false;
    bool closed_ = false;
    std::deque<Segment> segments_;  // oldest first
    int fd_ = -1;                   // open for appends: segments_.back()
    std::uint64_t synced_bytes_ = 0;
    std::optional<SteadyClock::time_point> unsynced_since_;
    std::deque<MemoryEntry> memory_;  // newest at the back; the non-durable ones are a suffix
    std::uint64_t memory_bytes_ = 0;
    std::map<std::string, Consumer> consumers_;

    bool writable_ = true;
    std::string error_;
    SteadyClock::time_point retry_at_{};
    std::uint64_t dropped_in_episode_ = 0;
    bool evicting_ = false;  // an eviction episode is under way (logged at its start and end)
    std::uint64_t evicted_in_episode_ = 0;

    JournalStats counters_;
};

}  // namespace kamgw::bus
