#include "core/bus/batch_queue.hpp"

#include <algorithm>
#include <iterator>

#include "core/bus/batch_bytes.hpp"

namespace kamgw::bus {

BatchQueue::BatchQueue(std::size_t max_batches, std::uint64_t max_bytes)
    : max_batches_(std::max<std::size_t>(max_batches, 1)), max_bytes_(std::max<std::uint64_t>(max_bytes, 1)) {}

std::size_t BatchQueue::push(ReadingBatch batch, SteadyTime now, std::vector<Entry>* evicted) {
    const std::size_t size = estimate_bytes(batch);
    return push(Entry{std::move(batch), size, now}, evicted);
}

std::size_t BatchQueue::push(Entry entry, std::vector<Entry>* evicted) {
    bytes_ += entry.bytes;
    entries_.push_back(std::move(entry));
    return enforce_bounds(evicted);
}

std::size_t BatchQueue::push_front(std::vector<Entry> entries, std::vector<Entry>* evicted) {
    for (const Entry& e : entries) bytes_ += e.bytes;
    entries_.insert(entries_.begin(), std::make_move_iterator(entries.begin()), std::make_move_iterator(entries.end()));
    return enforce_bounds(evicted);
}

std::vector<BatchQueue::Entry> BatchQueue::take(std::size_t n) {
    n = std::min(n, entries_.size());
    std::vector<Entry> out;
    out.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        bytes_ -= entries_.front().bytes;
        out.push_back(std::move(entries_.front()));
        entries_.pop_front();
    }
    return out;
}

std::size_t BatchQueue::enforce_bounds(std::vector<Entry>* evicted) {
    std::size_t dropped = 0;
    while (entries_.size() > 1 && (entries_.size() > max_batches_ || bytes_ > max_bytes_)) {
        bytes_ -= entries_.front().bytes;
        if (evicted) evicted->push_back(std::move(entries_.front()));
        entries_.pop_front();
        ++dropped;
    }
    return dropped;
}

}  // namespace kamgw::bus
