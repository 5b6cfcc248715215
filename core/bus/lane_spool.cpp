// The lane's use of its disk spool: spilling what the memory queue evicts, replaying it oldest
// first once the sink takes writes, and persisting what is left at shutdown.
#include <spdlog/spdlog.h>

#include "core/bus/batch_bytes.hpp"
#include "core/bus/lane.hpp"

namespace kamgw::bus {

void Lane::open_spool() {
    if (settings_.spool_dir.empty()) return;
    auto spool =
        std::make_unique<Spool>(settings_.spool_dir, settings_.spool_max_bytes, settings_.spool_segment_batches);
    try {
        if (!spool->open()) {
            // The lane this one replaces on a reload is still draining into the folder; its
            // leftovers are picked up once it lets go. Until then evictions wait in memory.
            spool_retry_at_ = SteadyClock::now() + settings_.idle_interval;
            if (!spool_busy_logged_)
                log_->info("spool {} is still in use by the previous lane of this sink; retrying",
                           settings_.spool_dir.string());
            spool_busy_logged_ = true;
            return;
        }
    } catch (const std::exception& e) {
        log_->error("spool {} cannot be used, batches that do not fit in memory will be dropped: {}",
                    settings_.spool_dir.string(), e.what());
        std::lock_guard lock(mutex_);
        spool_enabled_ = false;
        // Batches evicted before the spool turned out unusable would have nowhere to go.
        const std::size_t evicted = overflow_.size();
        overflow_.take_all();
        counters_.dropped += evicted;
        unlogged_full_drops_ += evicted;
        return;
    }
    const std::size_t waiting = spool->batches();
    spool_ = std::move(spool);
    {
        std::lock_guard lock(mutex_);
        spooled_ = waiting;
    }
    if (waiting != 0) log_->info("{} batches wait in the spool from an earlier run; they are delivered first", waiting);
}

void Lane::spill_overflow(std::unique_lock<std::mutex>& lock) {
    std::vector<BatchQueue::Entry> entries = overflow_.take_all();
    const bool first_spill = spooled_ == 0;
    lock.unlock();
    std::vector<ReadingBatch> batches;
    batches.reserve(entries.size());
    for (auto& e : entries) batches.push_back(std::move(e.batch));
    std::string error;
    const std::size_t lost = spool_->append(batches, &error);
    const std::size_t on_disk = spool_->batches();
    if (!error.empty()) log_->error("writing to the spool failed, {} batches lost: {}", lost, error);
    if (first_spill)
        log_->warn("queue full (at most {} batches, {} bytes): spooling the oldest batches to {}",
                   settings_.queue_max_batches, settings_.queue_max_bytes, settings_.spool_dir.string());
    lock.lock();
    spooled_ = on_disk;
    counters_.dropped += lost;
    if (error.empty()) unlogged_full_drops_ += lost;  // lost to the spool's size bound
}

void Lane::load_replay(std::unique_lock<std::mutex>& lock) {
    lock.unlock();
    std::optional<Spool::Segment> segment = spool_->take_oldest();
    lock.lock();
    if (!segment) return;
    replay_segment_ = segment->id;
    const auto now = SteadyClock::now();
    for (ReadingBatch& b : segment->batches) {
        const std::size_t bytes = estimate_bytes(b);
        replay_.push_back(BatchQueue::Entry{std::move(b), bytes, now});
    }
    if (segment->unreadable != 0) {
        counters_.dropped += segment->unreadable;
        lock.unlock();
        log_->warn("skipped {} unreadable lines in spool segment {}", segment->unreadable, segment->id);
        lock.lock();
    }
    if (replay_.empty()) replay_written(lock);
}

void Lane::replay_written(std::unique_lock<std::mutex>& lock) {
    const std::uint64_t id = *replay_segment_;
    replay_segment_.reset();
    lock.unlock();
    spool_->consumed(id);
    const std::size_t on_disk = spool_->batches();
    lock.lock();
    spooled_ = on_disk;
}

std::size_t Lane::persist_remaining(std::unique_lock<std::mutex>& lock) {
    if (!spool_) {
        const std::size_t lost = queue_.size() + overflow_.size() + replay_.size();
        queue_.take_all();
        overflow_.take_all();
        replay_.clear();
        return lost;
    }
    if (replay_segment_) {
        std::vector<ReadingBatch> rest;
        for (auto& e : replay_) rest.push_back(std::move(e.batch));
        replay_.clear();
        const std::uint64_t id = *replay_segment_;
        replay_segment_.reset();
        lock.unlock();
        try {
            spool_->rewrite(id, rest);
        } catch (const std::exception& e) {
            // The segment is still whole on disk: its batches repeat at the next start.
            log_->error("could not shorten spool segment {}: {}", id, e.what());
        }
        lock.lock();
    }
    // Evicted batches are older than what is still queued, so they go to disk first.
    std::vector<BatchQueue::Entry> entries = overflow_.take_all();
    for (auto& e : queue_.take_all()) entries.push_back(std::move(e));
    lock.unlock();
    std::vector<ReadingBatch> batches;
    batches.reserve(entries.size());
    for (auto& e : entries) batches.push_back(std::move(e.batch));
    std::string error;
    const std::size_t lost = batches.empty() ? 0 : spool_->append(batches, &error);
    const std::size_t on_disk = spool_->batches();
    if (!error.empty()) log_->error("writing to the spool failed, {} batches lost: {}", lost, error);
    lock.lock();
    spooled_ = on_disk;
    return lost;
}

}  // namespace kamgw::bus
