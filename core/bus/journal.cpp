// The journal's memory side: appending, reading, consumers' positions and what may be freed.
#include "core/bus/journal.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "core/bus/batch_bytes.hpp"
#include "core/bus/batch_json.hpp"
#include "core/bus/journal_record.hpp"
#include "core/bus/time_ns.hpp"

namespace kamgw::bus {
namespace {

// The age bound counts from the poll; a batch without poll times counts from now.
std::int64_t poll_time_ns(const ReadingBatch& b) {
    TimePoint t = b.finished.time_since_epoch().count() != 0 ? b.finished : b.started;
    if (t.time_since_epoch().count() == 0) t = Clock::now();
    return to_ns(t);
}

}  // namespace

Journal::Journal(JournalSettings settings, std::shared_ptr<spdlog::logger> log)
    : settings_(std::move(settings)), log_(std::move(log)) {
    // Several segments always fit under the size bound, so deleting one frees a fraction of it.
    settings_.segment_bytes =
        std::max<std::uint64_t>(std::min(settings_.segment_bytes, settings_.max_bytes / 4), 64 * 1024);
}

Journal::~Journal() { close(); }

void Journal::open() {
    std::lock_guard lock(mutex_);
    if (settings_.dir.empty()) return;
    try {
        recover_locked();
        persistent_ = true;
    } catch (const std::exception& e) {
        segments_.clear();
        log_->error("journal {} cannot be used, readings are kept in memory only (a restart loses them): {}",
                    settings_.dir.string(), e.what());
        error_ = e.what();
    }
}

void Journal::close() {
    std::lock_guard lock(mutex_);
    if (closed_) return;
    if (persistent_) {
        write_pending_locked(SteadyClock::now() + settings_.write_retry);
        sync_locked();
        for (auto& [name, consumer] : consumers_)
            if (consumer.next != consumer.persisted) persist_cursor_locked(name, consumer);
    }
    close_segment_locked();
    closed_ = true;
}

std::uint64_t Journal::append(ReadingBatch batch) {
    std::vector<std::function<void()>> wakes;
    std::uint64_t seq = 0;
    {
        std::lock_guard lock(mutex_);
        const auto now = SteadyClock::now();
        seq = head_++;
        MemoryEntry m;
        m.time_ns = poll_time_ns(batch);
        m.record = encode_journal_record(seq, m.time_ns, batch_to_json_line(batch));
        m.memory = estimate_bytes(batch) + m.record.size();
        m.entry.seq = seq;
        m.entry.bytes = m.record.size();
        m.entry.appended = now;
        m.entry.batch = std::make_shared<const ReadingBatch>(std::move(batch));
        memory_bytes_ += m.memory;
        memory_.push_back(std::move(m));
        ++counters_.appended;
        if (closed_) {
            // Nothing reads a closed journal; say so rather than keep the batch where nobody looks.
            ++counters_.dropped;
            log_->error("journal: a batch of meter {} arrived after the journal was closed and is dropped",
                        memory_.back().entry.batch->meter.name);
        }
        if (persistent_ && !closed_) write_pending_locked(now);
        collect_locked(now);
        enforce_memory_locked();
        for (auto& [name, consumer] : consumers_)
            if (consumer.attached && consumer.wake) wakes.push_back(consumer.wake);
    }
    for (auto& wake : wakes) wake();
    return seq;
}

Journal::SteadyClock::time_point Journal::maintain() {
    std::lock_guard lock(mutex_);
    const auto now = SteadyClock::now();
    if (persistent_ && !closed_) {
        write_pending_locked(now);
        if (unsynced_since_ && now >= *unsynced_since_ + settings_.sync_interval) sync_locked();
        for (auto& [name, consumer] : consumers_)
            if (consumer.next != consumer.persisted && now >= consumer.persisted_at + settings_.cursor_persist)
                persist_cursor_locked(name, consumer);
    }
    collect_locked(now);
    return due_locked(now);
}

Journal::SteadyClock::time_point Journal::next_due() const {
    std::lock_guard lock(mutex_);
    return due_locked(SteadyClock::now());
}

Journal::SteadyClock::time_point Journal::due_locked(SteadyClock::time_point now) const {
    auto due = now + std::chrono::hours(1);  // the age bound needs no finer grain
    if (persistent_ && !closed_) {
        const bool pending = std::any_of(memory_.begin(), memory_.end(),
                                         [](const MemoryEntry& m) { return m.state == EntryState::pending; });
        if (pending) due = std::min(due, writable_ ? now : retry_at_);
        if (unsynced_since_) due = std::min(due, *unsynced_since_ + settings_.sync_interval);
        for (const auto& [name, consumer] : consumers_)
            if (consumer.next != consumer.persisted)
                due = std::min(due, consumer.persisted_at + settings_.cursor_persist);
    }
    return std::max(due, now + std::chrono::milliseconds(10));
}

void Journal::retain_consumers(const std::vector<std::string>& names) {
    std::lock_guard lock(mutex_);
    for (auto& [name, consumer] : consumers_)
        consumer.retained = std::find(names.begin(), names.end(), name) != names.end();
    collect_locked(SteadyClock::now());
}

bool Journal::attach(const std::string& name, std::function<void()> wake) {
    std::lock_guard lock(mutex_);
    auto it = consumers_.find(name);
    if (it == consumers_.end() || it->second.attached) return false;
    it->second.attached = true;
    it->second.wake = std::move(wake);
    return true;
}

void Journal::detach(const std::string& name) {
    std::lock_guard lock(mutex_);
    auto it = consumers_.find(name);
    if (it == consumers_.end()) return;
    it->second.attached = false;
    it->second.wake = nullptr;
    if (persistent_ && !closed_ && it->second.next != it->second.persisted) persist_cursor_locked(name, it->second);
}

std::uint64_t Journal::cursor(const std::string& name) const {
    std::lock_guard lock(mutex_);
    auto it = consumers_.find(name);
    return it == consumers_.end() ? head_ : it->second.next;
}

void Journal::ack(const std::string& name, std::uint64_t next, bool persist_now) {
    std::lock_guard lock(mutex_);
    auto it = consumers_.find(name);
    if (it == consumers_.end() || next <= it->second.next) return;
    Consumer& c = it->second;
    c.next = std::min(next, head_);
    const auto now = SteadyClock::now();
    if (persistent_ && !closed_ && (persist_now || now >= c.persisted_at + settings_.cursor_persist))
        persist_cursor_locked(name, c);
    collect_locked(now);
}

JournalRead Journal::read(std::uint64_t from, std::size_t max) {
    JournalRead out;
    max = std::max<std::size_t>(max, 1);
    struct Raw {
        RecordLoc loc;
        std::optional<std::string> payload;
    };
    std::vector<Raw> raw;
    {
        std::lock_guard lock(mutex_);
        if (from >= head_) return out;
        const std::uint64_t memory_front = memory_.empty() ? head_ : memory_.front().entry.seq;
        if (from < memory_front) {
            for (const Segment& s : segments_) {
                if (raw.size() >= max) break;
                if (s.records.empty() || s.records.back().seq < from) continue;
                auto first = std::lower_bound(s.records.begin(), s.records.end(), from,
                                              [](const RecordLoc& r, std::uint64_t seq) { return r.seq < seq; });
                auto last = first;
                while (last != s.records.end() && raw.size() + static_cast<std::size_t>(last - first) < max &&
                       last->seq < memory_front)
                    ++last;
                const auto locs = std::span<const RecordLoc>(s.records).subspan(
                    static_cast<std::size_t>(first - s.records.begin()), static_cast<std::size_t>(last - first));
                auto payloads = read_payloads(s, locs);
                for (std::size_t i = 0; i < locs.size(); ++i) raw.push_back(Raw{locs[i], std::move(payloads[i])});
            }
        }
        if (raw.empty()) {
            auto it = std::lower_bound(memory_.begin(), memory_.end(), from,
                                       [](const MemoryEntry& m, std::uint64_t seq) { return m.entry.seq < seq; });
            const std::uint64_t first = it == memory_.end() ? head_ : it->entry.seq;
            out.skipped = first - from;
            for (; it != memory_.end() && out.entries.size() < max; ++it) out.entries.push_back(it->entry);
            return out;
        }
        out.skipped = raw.front().loc.seq - from;
    }
    // Parsing happens outside the lock so that a long replay never holds up a meter's append.
    std::uint64_t damaged = 0;
    for (Raw& r : raw) {
        std::optional<ReadingBatch> batch;
        if (r.payload) batch = batch_from_json_line(*r.payload);
        if (!batch) {
            ++damaged;
            continue;
        }
        JournalEntry e;
        e.seq = r.loc.seq;
        e.bytes = r.loc.size;
        e.batch = std::make_shared<const ReadingBatch>(std::move(*batch));
        out.entries.push_back(std::move(e));
    }
    if (damaged != 0) {
        std::lock_guard lock(mutex_);
        counters_.damaged += damaged;
        log_->warn("journal: {} record(s) could not be read back and are skipped", damaged);
    }
    out.skipped += damaged;
    return out;
}

JournalBacklog Journal::backlog(std::uint64_t from) const {
    std::lock_guard lock(mutex_);
    JournalBacklog b;
    std::uint64_t disk_last = 0;
    for (const Segment& s : segments_) {
        if (s.records.empty()) continue;
        disk_last = std::max(disk_last, s.records.back().seq);
        if (s.records.back().seq < from) continue;
        for (auto it = s.records.rbegin(); it != s.records.rend() && it->seq >= from; ++it) {
            ++b.batches;
            b.bytes += it->size;
            b.oldest = from_ns(it->time_ns);
        }
    }
    for (const MemoryEntry& m : memory_) {
        if (m.entry.seq < from || m.entry.seq <= disk_last) continue;
        ++b.batches;
        b.bytes += m.entry.bytes;
        if (!b.oldest) b.oldest = from_ns(m.time_ns);
    }
    return b;
}

std::uint64_t Journal::trim(std::uint64_t from, std::size_t max_batches, std::uint64_t max_bytes) const {
    if (max_batches == 0 && max_bytes == 0) return from;
    std::lock_guard lock(mutex_);
    std::size_t count = 0;
    std::uint64_t bytes = 0;
    std::uint64_t disk_last = 0;
    for (const Segment& s : segments_)
        if (!s.records.empty()) disk_last = std::max(disk_last, s.records.back().seq);
    // Newest first: memory beyond the disk, then the segments backwards.
    auto over = [&](std::uint64_t seq, std::uint64_t size) {
        if (seq < from) return false;
        const bool too_many = max_batches != 0 && count + 1 > max_batches;
        const bool too_big = max_bytes != 0 && count != 0 && bytes + size > max_bytes;
        if (too_many || too_big) return true;
        ++count;
        bytes += size;
        return false;
    };
    for (auto it = memory_.rbegin(); it != memory_.rend(); ++it) {
        if (it->entry.seq <= disk_last) break;
        if (it->entry.seq < from) return from;
        if (over(it->entry.seq, it->entry.bytes)) return it->entry.seq + 1;
    }
    for (auto s = segments_.rbegin(); s != segments_.rend(); ++s)
        for (auto r = s->records.rbegin(); r != s->records.rend(); ++r) {
            if (r->seq < from) return from;
            if (over(r->seq, r->size)) return r->seq + 1;
        }
    return from;
}

std::uint64_t Journal::head() const {
    std::lock_guard lock(mutex_);
    return head_;
}

JournalStats Journal::stats() const {
    std::lock_guard lock(mutex_);
    JournalStats s = counters_;
    s.head = head_;
    s.disk_bytes = disk_bytes_locked();
    s.segments = segments_.size();
    s.memory_bytes = memory_bytes_;
    s.pending = static_cast<std::size_t>(std::count_if(
        memory_.begin(), memory_.end(), [](const MemoryEntry& m) { return m.state != EntryState::durable; }));
    if (!persistent_) s.pending = 0;
    s.persistent = persistent_;
    s.writable = writable_ && (persistent_ || settings_.dir.empty());
    s.error = error_;
    return s;
}

std::uint64_t Journal::min_cursor_locked() const {
    std::uint64_t min = head_;
    for (const auto& [name, consumer] : consumers_)
        if (consumer.retained) min = std::min(min, consumer.next);
    return min;
}

std::uint64_t Journal::disk_bytes_locked() const {
    std::uint64_t n = 0;
    for (const Segment& s : segments_) n += s.bytes;
    return n;
}

std::uint64_t Journal::oldest_seq_locked() const {
    for (const Segment& s : segments_)
        if (!s.records.empty()) return s.records.front().seq;
    return memory_.empty() ? head_ : memory_.front().entry.seq;
}

void Journal::collect_locked(SteadyClock::time_point) {
    const std::uint64_t min = min_cursor_locked();
    // Every sink has these: neither memory nor disk needs to keep them.
    while (!memory_.empty() && memory_.front().entry.seq < min &&
           (memory_.front().state == EntryState::durable || !persistent_)) {
        memory_bytes_ -= memory_.front().memory;
        memory_.pop_front();
    }
    // The newest segment stays, so the sequence numbers go on after a restart.
    while (segments_.size() > 1 && segments_.front().records.back().seq < min) delete_segment_locked(0);
    const std::int64_t now_ns = to_ns(Clock::now());
    const std::int64_t max_age_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(settings_.max_age).count();
    while (segments_.size() > 1 && disk_bytes_locked() > settings_.max_bytes) evict_front_locked("size");
    while (segments_.size() > 1 && segments_.front().records.back().time_ns < now_ns - max_age_ns)
        evict_front_locked("age");
    if (evicting_ && undelivered_bytes_locked() < settings_.max_bytes / 2) {
        log_->info("journal: below its bounds again; {} undelivered batch(es) were deleted in all",
                   evicted_in_episode_);
        evicting_ = false;
        evicted_in_episode_ = 0;
    }
}

std::uint64_t Journal::undelivered_bytes_locked() const {
    const std::uint64_t min = min_cursor_locked();
    std::uint64_t bytes = 0;
    for (const Segment& s : segments_)
        for (const RecordLoc& r : s.records) bytes += r.seq >= min ? r.size : 0;
    return bytes;
}

void Journal::evict_front_locked(const char* why) {
    const Segment& front = segments_.front();
    // Gone means gone: the copies in memory go too, so every sink sees the same journal.
    const std::uint64_t last = front.records.back().seq;
    while (!memory_.empty() && memory_.front().entry.seq <= last) {
        memory_bytes_ -= memory_.front().memory;
        memory_.pop_front();
    }
    const std::uint64_t min = min_cursor_locked();
    std::uint64_t undelivered = 0;
    for (const RecordLoc& r : front.records) undelivered += r.seq >= min;
    if (undelivered != 0) {
        counters_.evicted += undelivered;
        evicted_in_episode_ += undelivered;
        if (!evicting_) {
            if (std::string_view(why) == "size")
                log_->warn(
                    "journal: its size bound ({} bytes, journal_max_bytes) is reached; the oldest readings "
                    "that a sink has not yet taken are deleted, starting with {} batch(es)",
                    settings_.max_bytes, undelivered);
            else
                log_->warn(
                    "journal: readings older than journal_max_age ({} s) that a sink has not yet taken are "
                    "deleted, starting with {} batch(es)",
                    settings_.max_age.count(), undelivered);
            evicting_ = true;
        }
    }
    delete_segment_locked(0);
}

void Journal::enforce_memory_locked() {
    const std::uint64_t min = min_cursor_locked();
    std::uint64_t dropped = 0;
    while (memory_bytes_ > settings_.memory_max_bytes && memory_.size() > 1) {
        MemoryEntry& front = memory_.front();
        const bool safe = persistent_ && front.state == EntryState::durable;
        if (!safe && front.entry.seq >= min) ++dropped;
        memory_bytes_ -= front.memory;
        memory_.pop_front();
    }
    if (dropped != 0) {
        counters_.dropped += dropped;
        if (dropped_in_episode_ == 0)
            log_->warn(
                "journal: {} in memory (journal_memory_max_bytes) are full while {}; the oldest undelivered "
                "readings are dropped",
                settings_.memory_max_bytes,
                persistent_ ? "the disk cannot be written" : "there is no usable state folder");
        dropped_in_episode_ += dropped;
    } else if (dropped_in_episode_ != 0 && memory_bytes_ < settings_.memory_max_bytes / 2) {
        log_->warn("journal: {} undelivered batch(es) were dropped from memory in all", dropped_in_episode_);
        dropped_in_episode_ = 0;
    }
}

}  // namespace kamgw::bus
