// A FIFO of reading batches bounded by count and by bytes; when full, the oldest go.
//
// Not thread-safe: the lane guards it with its own mutex. Kept apart from the lane so the
// bounding rules can be tested without threads.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <vector>

#include "kamgw/reading.hpp"

namespace kamgw::bus {

class BatchQueue {
public:
    using SteadyTime = std::chrono::steady_clock::time_point;

    struct Entry {
        ReadingBatch batch;
        std::size_t bytes = 0;
        SteadyTime enqueued;
    };

    // At least one batch is always kept, even one larger than `max_bytes`: dropping the only
    // (newest) batch would lose data without making room for anything.
    BatchQueue(std::size_t max_batches, std::uint64_t max_bytes);

    // Appends at the back; returns how many of the oldest were dropped to stay in bounds.
    // With `evicted`, those batches are handed over there instead of being destroyed.
    std::size_t push(ReadingBatch batch, SteadyTime now, std::vector<Entry>* evicted = nullptr);
    std::size_t push(Entry entry, std::vector<Entry>* evicted = nullptr);
    // Puts batches that could not be written back at the front, in their original order,
    // then drops from the front if the queue grew out of bounds meanwhile.
    std::size_t push_front(std::vector<Entry> entries, std::vector<Entry>* evicted = nullptr);
    // Takes up to `n` batches from the front, oldest first.
    std::vector<Entry> take(std::size_t n);
    // Empties the queue and returns what it held.
    std::vector<Entry> take_all() { return take(entries_.size()); }

    [[nodiscard]] bool empty() const { return entries_.empty(); }
    [[nodiscard]] std::size_t size() const { return entries_.size(); }
    [[nodiscard]] std::uint64_t bytes() const { return bytes_; }
    [[nodiscard]] SteadyTime oldest_enqueued() const { return entries_.front().enqueued; }
    [[nodiscard]] std::size_t max_batches() const { return max_batches_; }
    [[nodiscard]] std::uint64_t max_bytes() const { return max_bytes_; }

private:
    std::size_t enforce_bounds(std::vector<Entry>* evicted);

    std::deque<Entry> entries_;
    std::uint64_t bytes_ = 0;
    std::size_t max_batches_;
    std::uint64_t max_bytes_;
};

}  // namespace kamgw::bus
