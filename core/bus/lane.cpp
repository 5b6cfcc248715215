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
    s.backlog_max_batches = cfg.queue_max_batches;
    s.backlog_max_bytes = cfg.queue_max_bytes;
    s.retry_initial = cfg.retry_initial;
    s.retry_max = cfg.retry_max;
    s.retry_limit = cfg.retry_limit;
    return s;
}

Lane::Lane(std::unique_ptr<Sink> sink, LaneSettings settings, std::shared_ptr<const HostServices> services,
           ConfigTable options, std::shared_ptr<Journal> journal)
    : settings_(std::move(settings)),
      log_(base::make_logger("sink " + settings_.name)),
      host_(std::move(services), settings_.name, std::move(options), log_),
      sink_(std::move(sink)),
      journal_(std::move(journal)),
      dead_letters_(settings_.dead_letter_file, settings_.dead_letter_max_bytes),
      backoff_(make_backoff(settings_)) {
    settings_.batch_size = std::max<std::size_t>(settings_.batch_size, 1);
    next_ = journal_->cursor(settings_.name);
}

Lane::~Lane() {
    // Normally joined by finish_stop(). Detaching instead of letting std::thread terminate the
    // process keeps a mistake in the owner from taking the daemon down.
    if (thread_.joinable()) thread_.detach();
}

void Lane::start() {
    std::weak_ptr<Lane> weak = weak_from_this();
    host_.on_wake([weak](std::chrono::milliseconds within) {
        if (auto self = weak.lock()) self->request_idle(within);
    });
    std::lock_guard lock(mutex_);
    if (thread_.joinable() || state_ != LaneState::created || stopping_) return;
    state_ = LaneState::starting;
    thread_ = std::thread([self = shared_from_this()] { self->run(); });
}

void Lane::publish_status(const MeterStatus& status) {
    {
        std::lock_guard lock(mutex_);
        if (finished_ || stopping_) return;
        pending_statuses_.insert_or_assign(status.meter.name, status);
        ++events_;
    }
    wake_.notify_one();
}

void Lane::request_idle(std::chrono::milliseconds within) {
    {
        std::lock_guard lock(mutex_);
        idle_requested_ =
            std::min(idle_requested_, SteadyClock::now() + std::max(within, std::chrono::milliseconds(0)));
        ++events_;
    }
    wake_.notify_one();
}

void Lane::reopen() {
    {
        std::lock_guard lock(mutex_);
        reopen_requested_ = true;
        ++events_;
    }
    wake_.notify_one();
}

void Lane::begin_stop(SteadyClock::time_point deadline) {
    const std::uint64_t head = journal_->head();
    {
        std::lock_guard lock(mutex_);
        if (stopping_) return;
        stopping_ = true;
        drain_deadline_ = deadline;
        drain_target_ = head;
        if (state_ == LaneState::running || state_ == LaneState::retrying) state_ = LaneState::draining;
        ++events_;
    }
    wake_.notify_one();
}

LaneDrain Lane::finish_stop(SteadyClock::time_point wait_limit) {
    std::unique_lock lock(mutex_);
    if (abandoned_ || (finished_ && !thread_.joinable())) return report_;
    const auto left = [&] {
        const std::uint64_t next = next_;
        lock.unlock();
        const std::size_t n = journal_->backlog(next).batches;
        lock.lock();
        return n;
    };
    if (!thread_.joinable()) {  // never started: nothing was handed to the sink
        state_ = LaneState::stopped;
        finished_ = true;
        report_.name = settings_.name;
        report_.left_batches = left();
        lock.unlock();
        journal_->detach(settings_.name);
        lock.lock();
        return report_;
    }
    done_.wait_until(lock, wait_limit, [this] { return finished_; });
    if (finished_) {
        LaneDrain report = report_;
        lock.unlock();
        thread_.join();
        return report;
    }
    report_.name = settings_.name;
    report_.left_batches = left();
    report_.abandoned = true;
    abandoned_ = true;
    const LaneDrain report = report_;
    lock.unlock();
    log_->error(
        "still inside a call to the sink at the shutdown deadline; leaving it behind, {} batch(es) stay in "
        "the journal",
        report.left_batches);
    thread_.detach();
    return report;
}

LaneStats Lane::stats() const {
    std::unique_lock lock(mutex_);
    LaneStats s = counters_;
    s.name = settings_.name;
    s.type = settings_.type;
    s.state = state_;
    const std::uint64_t next = next_;
    lock.unlock();
    const JournalBacklog backlog = journal_->backlog(next);
    s.queued_batches = backlog.batches;
    s.queued_bytes = backlog.bytes;
    s.oldest_queued = backlog.oldest;
    return s;
}

void Lane::run() {
    std::unique_lock lock(mutex_);
    last_activity_ = SteadyClock::now();
    const bool attached = attach_journal(lock);
    const bool started = attached && start_sink(lock);
    if (started) {
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
    report_.name = settings_.name;
    const std::uint64_t next = next_;
    lock.unlock();
    if (attached) journal_->detach(settings_.name);
    const std::size_t left = journal_->backlog(next).batches;
    if (left != 0) log_->info("{} batch(es) not delivered yet stay in the journal", left);
    // The sink goes on its own thread too, so its destructor may still touch its connections.
    sink_.reset();
    lock.lock();
    report_.left_batches = left;
    state_ = LaneState::stopped;
    finished_ = true;
    lock.unlock();
    done_.notify_all();
}

// After a reload the lane this one replaces may still be delivering as the same consumer;
// this one takes over once that one lets go.
bool Lane::attach_journal(std::unique_lock<std::mutex>& lock) {
    std::weak_ptr<Lane> weak = weak_from_this();
    auto wake = [weak] {
        if (auto self = weak.lock()) {
            {
                std::lock_guard l(self->mutex_);
                ++self->events_;
            }
            self->wake_.notify_one();
        }
    };
    bool logged = false;
    for (;;) {
        lock.unlock();
        const bool attached = journal_->attach(settings_.name, wake);
        const std::uint64_t cursor = journal_->cursor(settings_.name);
        lock.lock();
        if (attached) {
            next_ = cursor;
            return true;
        }
        if (stopping_) return false;
        if (!logged) log_unlocked(lock, spdlog::level::info, "waiting for the previous lane of this sink to finish");
        logged = true;
        wait(lock, SteadyClock::now() + std::chrono::seconds(1), events_);
    }
}

bool Lane::start_sink(std::unique_lock<std::mutex>& lock) {
    for (;;) {
        lock.unlock();
        std::exception_ptr error;
        try {
            sink_->start(host_);
        } catch (...) {
            error = std::current_exception();
        }
        lock.lock();
        last_activity_ = SteadyClock::now();
        if (!error) {
            if (counters_.start_failures != 0)
                log_unlocked(lock, spdlog::level::info,
                             fmt::format("started after {} failed attempt(s)", counters_.start_failures));
            backoff_.reset();
            note_success();
            return true;
        }
        const std::string why = describe_exception(error);
        ++counters_.start_failures;
        note_error("start failed: " + why);
        state_ = LaneState::start_failed;
        if (stopping_) return false;
        const auto wait_for = backoff_.next();
        log_unlocked(lock, backoff_.attempt() == 1 ? spdlog::level::err : spdlog::level::debug,
                     fmt::format("start failed (attempt {}), trying again in {} ms; readings wait in the journal: {}",
                                 backoff_.attempt(), wait_for.count(), why));
        const auto until = SteadyClock::now() + wait_for;
        while (!stopping_ && SteadyClock::now() < until) wait(lock, until, events_);
        if (stopping_) return false;
        state_ = LaneState::starting;
    }
}

void Lane::note_error(const std::string& message) {
    counters_.last_error = message;
    counters_.last_error_time = Clock::now();
    if (!counters_.failing_since) counters_.failing_since = counters_.last_error_time;
}

void Lane::note_success() { counters_.failing_since.reset(); }

void Lane::wait(std::unique_lock<std::mutex>& lock, SteadyClock::time_point until, std::uint64_t seen) {
    wake_.wait_until(lock, until, [&] { return events_ != seen; });
}

void Lane::log_unlocked(std::unique_lock<std::mutex>& lock, spdlog::level::level_enum level, const std::string& line) {
    lock.unlock();
    log_->log(level, "{}", line);
    lock.lock();
}

void Lane::loop(std::unique_lock<std::mutex>& lock) {
    for (;;) {
        // Counted before this round looks at anything: what arrives while the journal is read
        // (without the lock) then ends the wait below instead of being slept through.
        const std::uint64_t seen = events_;
        if (reopen_requested_) {
            reopen_requested_ = false;
            call_sink(lock, "reopen", [this] { sink_->reopen(); });
            continue;
        }
        if (!pending_statuses_.empty()) {
            deliver_statuses(lock);
            continue;
        }
        auto now = SteadyClock::now();
        if (stopping_ && (next_ >= drain_target_ || now >= drain_deadline_)) break;
        // A sink's timers (reconnects, keep-alives) run through idle(), also while its writes
        // wait out a backoff.
        const auto idle_due = std::min(last_activity_ + settings_.idle_interval, idle_requested_);
        if (!stopping_ && now >= idle_due) {
            idle_requested_ = SteadyClock::time_point::max();
            call_sink(lock, "idle", [this] { sink_->idle(); });
            continue;
        }
        if (now < retry_at_) {
            wait(lock, stopping_ ? std::min(retry_at_, drain_deadline_) : std::min(retry_at_, idle_due), seen);
            continue;
        }

        const std::uint64_t from = next_;
        lock.unlock();
        const std::uint64_t keep = journal_->trim(from, settings_.backlog_max_batches, settings_.backlog_max_bytes);
        JournalRead batch = journal_->read(keep, settings_.batch_size);
        lock.lock();
        if (next_ != from) continue;  // cannot happen on the lane thread; keeps the arithmetic honest
        if (keep > from) skip(lock, keep - from, "this sink's backlog bound (queue_max_batches/queue_max_bytes)");
        if (batch.skipped != 0) skip(lock, batch.skipped, "the journal no longer holds them");
        if (batch.entries.empty()) {
            if (stopping_) break;  // everything there is was delivered
            wait(lock, idle_due, seen);
            continue;
        }
        if (!stopping_ && batch.entries.size() < settings_.batch_size) {
            const auto flush_due = batch.entries.front().appended + settings_.flush_interval;
            if (SteadyClock::now() < flush_due) {
                wait(lock, std::min(flush_due, idle_due), seen);
                continue;
            }
        }
        write(lock, std::move(batch.entries));
    }
}

void Lane::skip(std::unique_lock<std::mutex>& lock, std::uint64_t count, const char* why) {
    counters_.dropped += count;
    next_ += count;
    const std::uint64_t next = next_;
    const bool first = !skipping_logged_;
    skipping_logged_ = true;
    lock.unlock();
    journal_->ack(settings_.name, next, false);
    if (first)
        log_->warn(
            "{} batch(es) were lost before this sink had them: {} (every later loss is counted in "
            "kamgw_sink_dropped_batches_total)",
            count, why);
    lock.lock();
}

void Lane::advance(std::unique_lock<std::mutex>& lock, std::uint64_t next) {
    next_ = next;
    lock.unlock();
    // Caught up: the position is written now, so a crash repeats nothing. While a backlog
    // drains it is written at most once a second, which a crash may repeat.
    const bool caught_up = next >= journal_->head();
    journal_->ack(settings_.name, next, caught_up);
    lock.lock();
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

void Lane::dead_letter(std::unique_lock<std::mutex>& lock, std::span<const ReadingBatch> batches,
                       const std::string& why) {
    lock.unlock();
    std::string error;
    const bool kept = dead_letters_.add(batches, why, &error);
    if (kept)
        log_->error("{} batch(es) moved to {}: {}", batches.size(), dead_letters_.path().string(), why);
    else
        log_->error("{} batch(es) given up and lost ({}): {}", batches.size(), error, why);
    lock.lock();
    if (kept)
        counters_.dead_lettered += batches.size();
    else
        counters_.dropped += batches.size();
}

void Lane::write(std::unique_lock<std::mutex>& lock, std::vector<JournalEntry> entries) {
    const std::uint64_t after = entries.back().seq + 1;
    lock.unlock();
    std::vector<ReadingBatch> batches;
    batches.reserve(entries.size());
    for (const JournalEntry& e : entries) batches.push_back(*e.batch);
    WriteResult result;
    try {
        result = sink_->write(batches);
    } catch (...) {
        result = WriteResult::retry("write threw: " + describe_exception(std::current_exception()));
    }
    const auto now = SteadyClock::now();
    lock.lock();
    last_activity_ = now;
    const std::size_t count = batches.size();
    switch (result.code) {
        case WriteResult::Code::ok: {
            counters_.written_batches += count;
            ++counters_.writes;
            if (attempts_ != 0)
                log_unlocked(lock, spdlog::level::info,
                             fmt::format("delivering again after {} failed attempt(s)", attempts_));
            backoff_.reset();
            attempts_ = 0;
            retry_at_ = {};
            note_success();
            advance(lock, after);
            break;
        }
        case WriteResult::Code::retry: {
            ++counters_.retries;
            ++attempts_;
            note_error(result.message);
            if (settings_.retry_limit != 0 && attempts_ >= settings_.retry_limit) {
                dead_letter(lock, batches, fmt::format("failed {} times (retry_limit): {}", attempts_, result.message));
                backoff_.reset();
                attempts_ = 0;
                retry_at_ = {};
                advance(lock, after);
                break;
            }
            const auto wait_for = backoff_.next();
            retry_at_ = now + wait_for;
            // The first failure of a streak is news; the rest of the streak is detail.
            log_unlocked(lock, attempts_ == 1 ? spdlog::level::warn : spdlog::level::debug,
                         fmt::format("write of {} batch(es) failed (attempt {}), retrying in {} ms: {}", count,
                                     attempts_, wait_for.count(), result.message));
            break;
        }
        case WriteResult::Code::reject: {
            counters_.rejected += count;
            note_error(result.message);
            dead_letter(lock, batches, "rejected by the sink: " + result.message);
            backoff_.reset();
            attempts_ = 0;
            retry_at_ = {};
            advance(lock, after);
            break;
        }
    }
    if (stopping_)
        state_ = LaneState::draining;
    else
        state_ = result.code == WriteResult::Code::retry ? LaneState::retrying : LaneState::running;
}

}  // namespace kamgw::bus
