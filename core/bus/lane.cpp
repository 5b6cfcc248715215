#include "core/bus/lane.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <exception>
#include <utility>
#include <vector>

namespace kamgw::bus {
namespace {

std::string describe_exception(const std::exception_ptr& error) {
    try {
        std::rethrow_exception(error);
    } catch (const std::exception& e) {
        return e.what();
    } catch (...) {
        return "an exception that is not a std::exception";
    }
}

Backoff make_backoff(const LaneSettings& s) {
    if (s.backoff_seed) return Backoff(s.retry_initial, s.retry_max, *s.backoff_seed);
    return Backoff(s.retry_initial, s.retry_max);
}

}  // namespace

LaneSettings LaneSettings::from(const config::SinkConfig& cfg, const LaneDefaults& defaults) {
    LaneSettings s;
    s.name = cfg.name.empty() ? cfg.type : cfg.name;
    s.type = cfg.type;
    s.batch_size = std::max<std::size_t>(cfg.batch_size != 0 ? cfg.batch_size : defaults.batch_size, 1);
    s.flush_interval = cfg.flush_interval.value_or(defaults.flush_interval);
    s.queue_max_batches = cfg.queue_max_batches;
    s.queue_max_bytes = cfg.queue_max_bytes;
    s.retry_initial = cfg.retry_initial;
    s.retry_max = cfg.retry_max;
    return s;
}

Lane::Lane(std::unique_ptr<Sink> sink, LaneSettings settings, std::shared_ptr<const HostServices> services,
           ConfigTable options)
    : settings_(std::move(settings)),
      log_(app::make_logger("sink " + settings_.name)),
      host_(std::move(services), settings_.name, std::move(options), log_),
      sink_(std::move(sink)),
      queue_(settings_.queue_max_batches, settings_.queue_max_bytes),
      backoff_(make_backoff(settings_)),
      spool_enabled_(!settings_.spool_dir.empty()),
      overflow_(settings_.queue_max_batches, settings_.queue_max_bytes) {
    settings_.batch_size = std::max<std::size_t>(settings_.batch_size, 1);
}

Lane::~Lane() {
    // Normally joined by finish_stop(). Detaching instead of letting std::thread terminate the
    // process keeps a mistake in the owner from taking the daemon down.
    if (thread_.joinable()) thread_.detach();
}

void Lane::start() {
    std::lock_guard lock(mutex_);
    if (thread_.joinable() || state_ != LaneState::created) return;
    state_ = LaneState::starting;
    thread_ = std::thread([self = shared_from_this()] { self->run(); });
}

void Lane::publish(ReadingBatch batch) {
    std::unique_lock lock(mutex_);
    if (stopping_ || disabled_) {
        ++counters_.dropped;
        ++unlogged_disabled_drops_;
        log_drops_if_due(lock);
        return;
    }
    std::vector<BatchQueue::Entry> evicted;
    std::size_t dropped = queue_.push(std::move(batch), SteadyClock::now(), spool_enabled_ ? &evicted : nullptr);
    if (!evicted.empty()) {
        // With a spool the oldest go to disk (via the lane thread) instead of being lost; only
        // when the lane cannot write them out fast enough does the overflow drop its oldest.
        dropped = 0;
        for (auto& e : evicted) dropped += overflow_.push(std::move(e));
    }
    if (dropped != 0) {
        counters_.dropped += dropped;
        unlogged_full_drops_ += dropped;
    }
    // The lane only needs waking when the first batch arrives (a flush deadline starts) or a
    // full batch is ready; otherwise it is already waiting for one of those or is busy writing.
    const bool wake = queue_.size() == 1 || queue_.size() >= settings_.batch_size || !evicted.empty();
    if (dropped != 0) log_drops_if_due(lock);
    if (lock.owns_lock()) lock.unlock();
    if (wake) wake_.notify_one();
}

void Lane::publish_status(const MeterStatus& status) {
    {
        std::lock_guard lock(mutex_);
        if (disabled_ || finished_) return;
        pending_statuses_.insert_or_assign(status.meter.name, status);
    }
    wake_.notify_one();
}

void Lane::reopen() {
    {
        std::lock_guard lock(mutex_);
        reopen_requested_ = true;
    }
    wake_.notify_one();
}

void Lane::begin_stop(SteadyClock::time_point deadline) {
    {
        std::lock_guard lock(mutex_);
        if (stopping_) return;
        stopping_ = true;
        drain_deadline_ = deadline;
        if (state_ == LaneState::running || state_ == LaneState::retrying) state_ = LaneState::draining;
    }
    wake_.notify_one();
}

LaneDrain Lane::finish_stop(SteadyClock::time_point wait_limit) {
    std::unique_lock lock(mutex_);
    if (abandoned_ || (finished_ && !thread_.joinable())) return undelivered_;
    if (!thread_.joinable()) {
        // Never started: nothing was handed to the sink. With a spool the queue is kept for
        // the next start; there is no lane thread, so this thread may use the spool.
        lock.unlock();
        open_spool();
        lock.lock();
        const std::size_t remaining = queue_.size() + overflow_.size();
        const std::uint64_t remaining_bytes = queue_.bytes() + overflow_.bytes();
        const std::size_t lost = persist_remaining(lock);
        counters_.dropped += lost;
        undelivered_.name = settings_.name;
        undelivered_.undelivered_batches = lost;
        undelivered_.undelivered_bytes = remaining == 0 ? 0 : remaining_bytes * lost / remaining;
        undelivered_.spooled_batches = spooled_;
        state_ = LaneState::stopped;
        finished_ = true;
        lock.unlock();
        spool_.reset();
        lock.lock();
        return undelivered_;
    }
    done_.wait_until(lock, wait_limit, [this] { return finished_; });
    if (finished_) {
        LaneDrain report = undelivered_;
        lock.unlock();
        thread_.join();
        return report;
    }
    LaneDrain report;
    report.name = settings_.name;
    // A batch replayed from the spool is still on disk until its whole segment was delivered.
    report.undelivered_batches = queue_.size() + overflow_.size() + in_flight_batches_;
    report.undelivered_bytes = queue_.bytes() + overflow_.bytes() + in_flight_bytes_;
    report.abandoned = true;
    abandoned_ = true;
    undelivered_ = report;
    lock.unlock();
    log_->error("still inside a call to the sink after the shutdown deadline; leaving it behind with {} batches",
                report.undelivered_batches);
    thread_.detach();
    return report;
}

LaneStats Lane::stats() const {
    std::lock_guard lock(mutex_);
    LaneStats s = counters_;
    s.name = settings_.name;
    s.type = settings_.type;
    s.state = state_;
    s.queued_batches = queue_.size() + overflow_.size() + in_flight_batches_;
    s.queued_bytes = queue_.bytes() + overflow_.bytes() + in_flight_bytes_;
    s.spooled_batches = spooled_;
    return s;
}

void Lane::run() {
    open_spool();
    std::exception_ptr start_error;
    try {
        sink_->start(host_);
    } catch (...) {
        start_error = std::current_exception();
    }
    std::unique_lock lock(mutex_);
    last_activity_ = SteadyClock::now();
    if (start_error) {
        disable(lock, describe_exception(start_error));
    } else {
        state_ = stopping_ ? LaneState::draining : LaneState::running;
        loop(lock);
        lock.unlock();
        try {
            sink_->stop();
        } catch (...) {
            log_->error("stop failed: {}", describe_exception(std::current_exception()));
        }
        lock.lock();
    }
    // The sink goes on its own thread too, so its destructor may still touch its connections.
    lock.unlock();
    sink_.reset();
    spool_.reset();  // lets go of the folder's lock for a lane that replaces this one
    lock.lock();
    if (state_ != LaneState::disabled) state_ = LaneState::stopped;  // a disabled lane stays visibly disabled
    finished_ = true;
    undelivered_.name = settings_.name;
    lock.unlock();
    done_.notify_all();
}

void Lane::disable(std::unique_lock<std::mutex>& lock, const std::string& why) {
    disabled_ = true;  // publish() refuses from here on
    spool_enabled_ = false;
    note_error("start failed: " + why);
    pending_statuses_.clear();
    // What was queued is kept for the next start when there is a spool, dropped otherwise.
    const std::size_t held = queue_.size() + overflow_.size();
    const std::size_t lost = persist_remaining(lock);
    counters_.dropped += lost;
    // Only now, so that whoever waits for "disabled" sees the final counters.
    state_ = LaneState::disabled;
    lock.unlock();
    log_->error("start failed, sink disabled (the other sinks go on): {}", why);
    if (lost != 0) log_->error("dropped {} queued batches: the sink is disabled", lost);
    if (held > lost) log_->warn("kept {} queued batches in the spool for the next start", held - lost);
    lock.lock();
}

void Lane::note_error(const std::string& message) {
    counters_.last_error = message;
    counters_.last_error_time = Clock::now();
}

void Lane::loop(std::unique_lock<std::mutex>& lock) {
    for (;;) {
        if (reopen_requested_) {
            reopen_requested_ = false;
            call_sink(lock, "reopen", [this] { sink_->reopen(); });
            continue;
        }
        if (!pending_statuses_.empty()) {
            deliver_statuses(lock);
            continue;
        }
        log_drops_if_due(lock);
        if (spool_pending() && SteadyClock::now() >= spool_retry_at_ && !stopping_) {
            lock.unlock();
            open_spool();
            lock.lock();
            if (spool_pending()) spool_retry_at_ = SteadyClock::now() + settings_.idle_interval;
            continue;
        }
        if (spool_ && !overflow_.empty()) {
            spill_overflow(lock);
            continue;
        }

        const auto now = SteadyClock::now();
        if (stopping_) {
            // With older batches on disk, writing the queue now would deliver out of order:
            // everything stays in the spool for the next start instead.
            const bool older_on_disk = spool_ && (spool_->has_unread() || replay_pending());
            if (older_on_disk || (queue_.empty() && replay_.empty()) || now >= drain_deadline_) break;
        }
        if (spool_ && !stopping_ && replay_.empty() && !replay_pending() && spool_->has_unread() && now >= retry_at_) {
            load_replay(lock);
            continue;
        }

        auto wake_at = now + settings_.idle_interval;
        if (!replay_.empty()) {
            if (now >= retry_at_) {
                write_head(lock, true);
                continue;
            }
            wake_at = std::min(wake_at, retry_at_);
        } else if (!queue_.empty()) {
            if (now >= retry_at_) {
                const auto flush_due = queue_.oldest_enqueued() + settings_.flush_interval;
                if (stopping_ || queue_.size() >= settings_.batch_size || now >= flush_due) {
                    write_head(lock, false);
                    continue;
                }
                wake_at = std::min(wake_at, flush_due);
            } else {
                wake_at = std::min(wake_at, retry_at_);
            }
        }
        if (stopping_) {
            wake_at = std::min(wake_at, drain_deadline_);
        } else {
            const auto idle_due = last_activity_ + settings_.idle_interval;
            if (now >= idle_due) {
                call_sink(lock, "idle", [this] { sink_->idle(); });
                continue;
            }
            wake_at = std::min(wake_at, idle_due);
        }
        if (spool_pending()) wake_at = std::min(wake_at, spool_retry_at_);
        if (last_drop_log_ && (unlogged_full_drops_ != 0 || unlogged_disabled_drops_ != 0))
            wake_at = std::min(wake_at, *last_drop_log_ + settings_.drop_log_interval);
        wake_.wait_until(lock, wake_at);
    }

    if (spool_pending()) {  // one last try, so that a busy folder at shutdown is not a loss
        lock.unlock();
        open_spool();
        lock.lock();
    }
    const std::uint64_t remaining_bytes = queue_.bytes() + overflow_.bytes();
    const std::size_t remaining = queue_.size() + overflow_.size() + replay_.size();
    const std::size_t lost = persist_remaining(lock);
    counters_.dropped += lost;
    undelivered_.undelivered_batches = lost;
    undelivered_.undelivered_bytes = remaining == 0 ? 0 : remaining_bytes * lost / remaining;
    undelivered_.spooled_batches = spooled_;
    log_drops_if_due(lock, true);
    if (undelivered_.spooled_batches != 0) {
        const std::size_t kept = undelivered_.spooled_batches;
        lock.unlock();
        log_->info("{} undelivered batches wait in the spool; they go first at the next start", kept);
        lock.lock();
    }
    if (undelivered_.undelivered_batches != 0) {
        const LaneDrain lost = undelivered_;
        lock.unlock();
        log_->warn("shutdown deadline reached: {} batches ({} bytes) were not delivered", lost.undelivered_batches,
                   lost.undelivered_bytes);
        lock.lock();
    }
}

void Lane::call_sink(std::unique_lock<std::mutex>& lock, const char* what, const std::function<void()>& call) {
    lock.unlock();
    try {
        call();
    } catch (...) {
        const std::string why = describe_exception(std::current_exception());
        log_->error("{} failed: {}", what, why);
        lock.lock();
        note_error(std::string(what) + " failed: " + why);
        last_activity_ = SteadyClock::now();
        return;
    }
    lock.lock();
    last_activity_ = SteadyClock::now();
}

void Lane::deliver_statuses(std::unique_lock<std::mutex>& lock) {
    std::map<std::string, MeterStatus> statuses;
    statuses.swap(pending_statuses_);
    counters_.statuses += statuses.size();
    for (const auto& [name, status] : statuses) call_sink(lock, "status", [&] { sink_->status(status); });
}

void Lane::write_head(std::unique_lock<std::mutex>& lock, bool from_replay) {
    std::vector<BatchQueue::Entry> entries;
    if (from_replay) {
        const std::size_t n = std::min(settings_.batch_size, replay_.size());
        for (std::size_t i = 0; i < n; ++i) {
            entries.push_back(std::move(replay_.front()));
            replay_.pop_front();
        }
    } else {
        entries = queue_.take(settings_.batch_size);
    }
    // Replayed batches are counted by the spool (their segment stays on disk until delivered).
    in_flight_batches_ = from_replay ? 0 : entries.size();
    in_flight_bytes_ = 0;
    if (!from_replay)
        for (const auto& e : entries) in_flight_bytes_ += e.bytes;
    lock.unlock();

    std::vector<ReadingBatch> batches;
    batches.reserve(entries.size());
    for (auto& e : entries) batches.push_back(std::move(e.batch));
    WriteResult result;
    try {
        result = sink_->write(batches);
    } catch (...) {
        result = WriteResult::retry("write threw: " + describe_exception(std::current_exception()));
    }
    const auto now = SteadyClock::now();

    lock.lock();
    last_activity_ = now;
    in_flight_batches_ = 0;
    in_flight_bytes_ = 0;
    const std::size_t count = batches.size();
    std::string line;
    spdlog::level::level_enum level = spdlog::level::debug;
    switch (result.code) {
        case WriteResult::Code::ok: {
            counters_.written_batches += count;
            ++counters_.writes;
            if (backoff_.attempt() != 0) {
                line = fmt::format("delivering again after {} failed attempts", backoff_.attempt());
                level = spdlog::level::info;
            }
            backoff_.reset();
            retry_at_ = {};
            break;
        }
        case WriteResult::Code::retry: {
            ++counters_.retries;
            note_error(result.message);
            for (std::size_t i = 0; i < count; ++i) entries[i].batch = std::move(batches[i]);
            if (from_replay) {
                // Bounded by the spool segment they came from; the spool keeps them on disk anyway.
                replay_.insert(replay_.begin(), std::make_move_iterator(entries.begin()),
                               std::make_move_iterator(entries.end()));
            } else {
                std::vector<BatchQueue::Entry> evicted;
                std::size_t dropped = queue_.push_front(std::move(entries), spool_enabled_ ? &evicted : nullptr);
                if (!evicted.empty()) {
                    dropped = 0;
                    for (auto& e : evicted) dropped += overflow_.push(std::move(e));
                }
                counters_.dropped += dropped;
                unlogged_full_drops_ += dropped;
            }
            const auto wait = backoff_.next();
            retry_at_ = now + wait;
            line = fmt::format("write of {} batches failed (attempt {}), retrying in {} ms: {}", count,
                               backoff_.attempt(), wait.count(), result.message);
            // The first failure of a streak is news; the rest of the streak is detail.
            level = backoff_.attempt() == 1 ? spdlog::level::warn : spdlog::level::debug;
            break;
        }
        case WriteResult::Code::reject: {
            counters_.rejected += count;
            note_error(result.message);
            backoff_.reset();
            retry_at_ = {};
            line = fmt::format("sink rejected {} batches, dropping them: {}", count, result.message);
            level = spdlog::level::warn;
            break;
        }
    }
    if (from_replay && result.code != WriteResult::Code::retry && replay_.empty()) replay_written(lock);
    if (stopping_)
        state_ = LaneState::draining;
    else
        state_ = result.code == WriteResult::Code::retry ? LaneState::retrying : LaneState::running;
    if (!line.empty()) {
        lock.unlock();
        log_->log(level, "{}", line);
        lock.lock();
    }
}

std::optional<std::string> Lane::take_drop_log_locked(SteadyClock::time_point now, bool force) {
    if (unlogged_full_drops_ == 0 && unlogged_disabled_drops_ == 0) return std::nullopt;
    if (!force && last_drop_log_ && now - *last_drop_log_ < settings_.drop_log_interval) return std::nullopt;
    std::string line;
    if (unlogged_full_drops_ != 0)
        line = fmt::format("queue full (at most {} batches, {} bytes): dropped the {} oldest batches",
                           queue_.max_batches(), queue_.max_bytes(), unlogged_full_drops_);
    if (unlogged_disabled_drops_ != 0) {
        if (!line.empty()) line += "; ";
        line += fmt::format("dropped {} batches published while the sink was {}", unlogged_disabled_drops_,
                            disabled_ ? "disabled" : "shutting down");
    }
    line += fmt::format(" ({} dropped in total)", counters_.dropped);
    unlogged_full_drops_ = 0;
    unlogged_disabled_drops_ = 0;
    last_drop_log_ = now;
    return line;
}

void Lane::log_drops_if_due(std::unique_lock<std::mutex>& lock, bool force) {
    auto line = take_drop_log_locked(SteadyClock::now(), force);
    if (!line) return;
    lock.unlock();
    log_->warn("{}", *line);
    lock.lock();
}

}  // namespace kamgw::bus
