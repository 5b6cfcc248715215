// A lane's disk spool: batches that did not fit in memory (or were still queued at shutdown)
// as JSON Lines in numbered segment files under <state_dir>/spool/, oldest segment first.
//
// Delivery from the spool is at least once: a segment is deleted only after every batch in
// it was handed to the sink, so a crash while replaying repeats that segment's batches
// rather than losing them. Used by one thread only (the lane's).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <optional>
#include <span>
#include <vector>

#include "kamgw/reading.hpp"

namespace kamgw::bus {

class Spool {
public:
    struct Segment {
        std::uint64_t id = 0;
        std::vector<ReadingBatch> batches;
        std::size_t unreadable = 0;  // lines that did not parse (a torn write, a foreign file)
    };

    // `max_bytes` bounds the files on disk: beyond it the oldest segments are deleted (and
    // counted). A segment is closed after `segment_batches` batches.
    Spool(std::filesystem::path dir, std::uint64_t max_bytes, std::size_t segment_batches = 1000);
    Spool(const Spool&) = delete;
    Spool& operator=(const Spool&) = delete;
    ~Spool();

    // Creates the folder, takes its lock and indexes the segments a previous run left. False
    // when another Spool holds the lock (a lane of a bus being replaced on reload, still
    // draining into the same folder); throws std::system_error / filesystem_error otherwise.
    bool open();

    // Appends at the newest end. Returns how many batches were lost: to the size bound, or all
    // of them when the write failed (then `error` says why).
    std::size_t append(std::span<const ReadingBatch> batches, std::string* error = nullptr);
    // Reads the oldest segment that is not being replayed. It stays on disk until consumed().
    std::optional<Segment> take_oldest();
    // Every batch of segment `id` reached the sink: delete it.
    void consumed(std::uint64_t id);
    // Shutdown in the middle of a replay: only `remaining` of segment `id` are still undelivered.
    void rewrite(std::uint64_t id, std::span<const ReadingBatch> remaining);

    [[nodiscard]] std::size_t batches() const;  // on disk, including a segment being replayed
    [[nodiscard]] std::uint64_t bytes() const;
    [[nodiscard]] bool has_unread() const;  // something take_oldest() would return
    [[nodiscard]] const std::filesystem::path& dir() const { return dir_; }

private:
    struct Info {
        std::uint64_t id = 0;
        std::size_t batches = 0;
        std::uint64_t bytes = 0;
        bool replaying = false;
    };
    [[nodiscard]] std::filesystem::path file_of(std::uint64_t id) const;
    void close_current();
    std::size_t enforce_bound();

    std::filesystem::path dir_;
    std::uint64_t max_bytes_;
    std::size_t segment_batches_;
    std::deque<Info> segments_;     // oldest first
    std::FILE* current_ = nullptr;  // open for appends: the newest segment, never one being replayed
    int lock_fd_ = -1;              // flock on <dir>/.lock: one Spool per folder at a time
    std::uint64_t next_id_ = 1;
};

}  // namespace kamgw::bus
