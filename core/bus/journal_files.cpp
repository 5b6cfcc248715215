// The journal's disk side: segment files, recovery after a crash, writes, syncs and failures.
//
// Every failing call is caught where it happens (create, write, sync, truncate), so a full or
// read-only disk turns into batches waiting in memory and one log line, never into lost
// batches that nobody counted or a file per attempt.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <system_error>

#include "core/bus/journal.hpp"
#include "core/bus/journal_record.hpp"

namespace kamgw::bus {
namespace {

constexpr std::string_view segment_suffix = ".journal";

std::optional<std::uint64_t> segment_number(const std::filesystem::path& file) {
    if (file.extension() != segment_suffix) return std::nullopt;
    const std::string stem = file.stem().string();
    if (stem.empty() || stem.size() > 20 ||
        !std::all_of(stem.begin(), stem.end(), [](unsigned char c) { return c >= '0' && c <= '9'; }))
        return std::nullopt;
    return std::stoull(stem);
}

std::string segment_name(std::uint64_t seq) {
    std::string name = std::to_string(seq);
    name.insert(0, 20 - std::min<std::size_t>(name.size(), 20), '0');
    return name + std::string(segment_suffix);
}

std::string errno_text(int error) { return std::error_code(error, std::generic_category()).message(); }

bool write_all(int fd, std::string_view bytes) {
    while (!bytes.empty()) {
        const ssize_t n = ::write(fd, bytes.data(), bytes.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        if (n == 0) {
            errno = ENOSPC;
            return false;
        }
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

bool read_exact(int fd, char* out, std::size_t size, std::uint64_t offset) {
    while (size != 0) {
        const ssize_t n = ::pread(fd, out, size, static_cast<off_t>(offset));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        out += n;
        size -= static_cast<std::size_t>(n);
        offset += static_cast<std::uint64_t>(n);
    }
    return true;
}

// A new file's name must reach the disk too, or a power cut can lose a whole segment.
void sync_directory(const std::filesystem::path& dir) {
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return;
    (void)::fsync(fd);
    ::close(fd);
}

}  // namespace

void Journal::recover_locked() {
    std::filesystem::create_directories(settings_.dir);
    std::filesystem::permissions(settings_.dir, std::filesystem::perms(0750));
    std::vector<std::pair<std::uint64_t, std::filesystem::path>> files;
    for (const auto& entry : std::filesystem::directory_iterator(settings_.dir)) {
        const auto number = segment_number(entry.path());
        if (number && entry.is_regular_file()) files.emplace_back(*number, entry.path());
    }
    std::sort(files.begin(), files.end());
    std::uint64_t last_seq = 0;
    for (const auto& [number, path] : files) {
        Segment segment;
        segment.path = path;
        counters_.damaged += scan_segment(segment);
        // Records must go on where the previous segment ended; anything else is not ours.
        while (!segment.records.empty() && segment.records.front().seq <= last_seq) {
            segment.bytes -= segment.records.front().size;
            segment.records.erase(segment.records.begin());
        }
        if (segment.records.empty()) {
            std::error_code ignored;
            std::filesystem::remove(path, ignored);
            continue;
        }
        last_seq = segment.records.back().seq;
        segments_.push_back(std::move(segment));
    }
    head_ = last_seq + 1;
    if (!segments_.empty())
        log_->info(
            "journal {}: {} batch(es) in {} segment(s) from an earlier run", settings_.dir.string(),
            [&] {
                std::size_t n = 0;
                for (const Segment& s : segments_) n += s.records.size();
                return n;
            }(),
            segments_.size());
}

// Indexes one segment file. The first record that does not check out ends it: that is the
// torn tail a crash or power cut leaves, and it is cut off so the next run reads a clean file.
std::size_t Journal::scan_segment(Segment& segment) {
    const int fd = ::open(segment.path.c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0) throw std::system_error(errno, std::generic_category(), segment.path.string());
    struct stat st {};
    ::fstat(fd, &st);
    const auto file_size = static_cast<std::uint64_t>(st.st_size);
    std::uint64_t offset = 0;
    std::uint64_t previous = 0;
    std::string payload;
    char header_bytes[journal_header_bytes];
    while (offset + journal_header_bytes <= file_size) {
        if (!read_exact(fd, header_bytes, journal_header_bytes, offset)) break;
        const auto header = decode_journal_header(header_bytes);
        if (!header || header->seq <= previous || offset + journal_header_bytes + header->payload_bytes > file_size)
            break;
        payload.resize(header->payload_bytes);
        if (!read_exact(fd, payload.data(), payload.size(), offset + journal_header_bytes) ||
            !journal_payload_matches(*header, payload))
            break;
        const auto size = static_cast<std::uint32_t>(journal_header_bytes + header->payload_bytes);
        segment.records.push_back(RecordLoc{header->seq, offset, size, header->time_ns});
        segment.bytes += size;
        offset += size;
        previous = header->seq;
    }
    std::size_t damaged = 0;
    if (offset < file_size) {
        damaged = 1;
        log_->warn(
            "journal {}: the record at byte {} is incomplete or damaged (a write cut short by a crash or "
            "power cut); {} byte(s) from there are skipped",
            segment.path.string(), offset, file_size - offset);
        if (::ftruncate(fd, static_cast<off_t>(offset)) != 0)
            log_->warn("journal {}: could not cut the damaged tail: {}", segment.path.string(), errno_text(errno));
    }
    ::close(fd);
    return damaged;
}

bool Journal::ensure_segment_locked(std::uint64_t seq) {
    if (fd_ >= 0) {
        if (segments_.back().bytes < settings_.segment_bytes) return true;
        // A full segment is closed only once complete on disk.
        if (!sync_locked()) return false;
        close_segment_locked();
    }
    Segment segment;
    segment.path = settings_.dir / segment_name(seq);
    // O_APPEND: after a failed write is cut back with ftruncate, the next write lands right there.
    const int fd = ::open(segment.path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0640);
    if (fd < 0) {
        note_write_failure_locked("creating " + segment.path.string(), errno);
        return false;
    }
    sync_directory(settings_.dir);
    fd_ = fd;
    synced_bytes_ = 0;
    segments_.push_back(std::move(segment));
    return true;
}

void Journal::close_segment_locked() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
}

void Journal::write_pending_locked(SteadyClock::time_point now) {
    if (!writable_ && now < retry_at_) return;
    auto first = std::find_if(memory_.begin(), memory_.end(),
                              [](const MemoryEntry& m) { return m.state == EntryState::pending; });
    if (first == memory_.end()) return;
    for (auto it = first; it != memory_.end(); ++it) {
        if (!ensure_segment_locked(it->entry.seq)) return;
        Segment& segment = segments_.back();
        if (!write_all(fd_, it->record)) {
            const int error = errno;
            const std::string path = segment.path.string();
            rollback_unsynced_locked();
            note_write_failure_locked("writing " + path, error);
            return;
        }
        segment.records.push_back(
            RecordLoc{it->entry.seq, segment.bytes, static_cast<std::uint32_t>(it->record.size()), it->time_ns});
        segment.bytes += it->record.size();
        counters_.bytes_written += it->record.size();
        it->state = EntryState::written;
        if (!unsynced_since_) unsynced_since_ = now;
    }
    if (settings_.sync == JournalSync::batch && !sync_locked()) return;
    note_write_success_locked();
}

bool Journal::sync_locked() {
    if (fd_ < 0 || !unsynced_since_) return true;
    if (::fdatasync(fd_) != 0) {
        const int error = errno;
        const std::string path = segments_.back().path.string();
        // After a failed sync the kernel may have dropped the dirty pages: what was written
        // since the last good sync is written again later, from memory.
        rollback_unsynced_locked();
        close_segment_locked();
        note_write_failure_locked("syncing " + path, error);
        return false;
    }
    ++counters_.syncs;
    synced_bytes_ = segments_.back().bytes;
    unsynced_since_.reset();
    for (MemoryEntry& m : memory_) {
        if (m.state != EntryState::written) continue;
        m.state = EntryState::durable;
        memory_bytes_ -= m.record.size();
        m.memory -= m.record.size();
        std::string().swap(m.record);
    }
    return true;
}

void Journal::rollback_unsynced_locked() {
    unsynced_since_.reset();
    for (MemoryEntry& m : memory_)
        if (m.state == EntryState::written) m.state = EntryState::pending;
    if (fd_ < 0 || segments_.empty()) return;
    Segment& segment = segments_.back();
    while (!segment.records.empty() && segment.records.back().offset >= synced_bytes_) {
        segment.bytes -= segment.records.back().size;
        segment.records.pop_back();
    }
    if (::ftruncate(fd_, static_cast<off_t>(synced_bytes_)) != 0) ++counters_.write_errors;
    if (segment.records.empty()) {
        // No empty segment files are left behind, however often a write is tried.
        close_segment_locked();
        std::error_code ignored;
        std::filesystem::remove(segment.path, ignored);
        segments_.pop_back();
    }
}

void Journal::note_write_failure_locked(const std::string& what, int error) {
    ++counters_.write_errors;
    retry_at_ = SteadyClock::now() + settings_.write_retry;
    if (!writable_) return;
    writable_ = false;
    error_ = what + ": " + errno_text(error);
    log_->error(
        "journal: {}; readings wait in memory (up to {} bytes, journal_memory_max_bytes) and are written "
        "when the disk takes them again",
        error_, settings_.memory_max_bytes);
}

void Journal::note_write_success_locked() {
    if (writable_) return;
    writable_ = true;
    log_->info(
        "journal: writing to {} works again after {} failed attempt(s); the readings that waited in memory "
        "are on disk{}",
        settings_.dir.string(), counters_.write_errors,
        counters_.dropped != 0 ? fmt::format(" ({} batch(es) were dropped meanwhile)", counters_.dropped) : "");
    error_.clear();
}

void Journal::delete_segment_locked(std::size_t index) {
    if (index + 1 == segments_.size()) close_segment_locked();
    std::error_code error;
    std::filesystem::remove(segments_[index].path, error);
    if (error) ++counters_.write_errors;
    segments_.erase(segments_.begin() + static_cast<std::ptrdiff_t>(index));
}

std::vector<std::optional<std::string>> Journal::read_payloads(const Segment& segment,
                                                               std::span<const RecordLoc> locs) const {
    std::vector<std::optional<std::string>> out(locs.size());
    const int fd = ::open(segment.path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return out;
    for (std::size_t i = 0; i < locs.size(); ++i) {
        std::string bytes(locs[i].size, '\0');
        if (!read_exact(fd, bytes.data(), bytes.size(), locs[i].offset)) continue;
        const auto header = decode_journal_header(std::span<const char>(bytes.data(), journal_header_bytes));
        if (!header || header->seq != locs[i].seq) continue;
        std::string payload = bytes.substr(journal_header_bytes);
        if (journal_payload_matches(*header, payload)) out[i] = std::move(payload);
    }
    ::close(fd);
    return out;
}

}  // namespace kamgw::bus
