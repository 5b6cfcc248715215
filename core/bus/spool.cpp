#include "core/bus/spool.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <fstream>
#include <string>
#include <system_error>

#include "core/bus/batch_json.hpp"

namespace kamgw::bus {
namespace {

constexpr const char* segment_suffix = ".jsonl";

std::optional<std::uint64_t> segment_id(const std::filesystem::path& file) {
    if (file.extension() != segment_suffix) return std::nullopt;
    const std::string stem = file.stem().string();
    if (stem.empty() || stem.size() > 20 ||
        !std::all_of(stem.begin(), stem.end(), [](unsigned char c) { return c >= '0' && c <= '9'; }))
        return std::nullopt;
    return std::stoull(stem);
}

std::string errno_text() { return std::error_code(errno, std::generic_category()).message(); }

}  // namespace

Spool::Spool(std::filesystem::path dir, std::uint64_t max_bytes, std::size_t segment_batches)
    : dir_(std::move(dir)), max_bytes_(max_bytes), segment_batches_(std::max<std::size_t>(segment_batches, 1)) {}

Spool::~Spool() {
    close_current();
    if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the flock
}

std::filesystem::path Spool::file_of(std::uint64_t id) const {
    std::string name = std::to_string(id);
    name.insert(0, 20 - std::min<std::size_t>(name.size(), 20), '0');
    return dir_ / (name + segment_suffix);
}

bool Spool::open() {
    std::filesystem::create_directories(dir_);
    if (lock_fd_ < 0) {
        const int fd = ::open((dir_ / ".lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (fd < 0) throw std::system_error(errno, std::generic_category(), (dir_ / ".lock").string());
        if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
            const int error = errno;
            ::close(fd);
            if (error == EWOULDBLOCK) return false;
            throw std::system_error(error, std::generic_category(), (dir_ / ".lock").string());
        }
        lock_fd_ = fd;
    }
    segments_.clear();
    for (const auto& entry : std::filesystem::directory_iterator(dir_)) {
        if (!entry.is_regular_file()) continue;
        if (entry.path().extension() == ".tmp") {  // a rewrite interrupted by a crash
            std::error_code ignored;
            std::filesystem::remove(entry.path(), ignored);
            continue;
        }
        const auto id = segment_id(entry.path());
        if (!id) continue;
        Info info{*id, 0, entry.file_size(), false};
        std::ifstream in(entry.path());
        std::string line;
        while (std::getline(in, line))
            if (!line.empty()) ++info.batches;
        segments_.push_back(info);
    }
    std::sort(segments_.begin(), segments_.end(), [](const Info& a, const Info& b) { return a.id < b.id; });
    next_id_ = segments_.empty() ? 1 : segments_.back().id + 1;
    return true;
}

void Spool::close_current() {
    if (current_) std::fclose(current_);
    current_ = nullptr;
}

std::size_t Spool::append(std::span<const ReadingBatch> batches, std::string* error) {
    std::size_t lost = 0;
    for (std::size_t i = 0; i < batches.size(); ++i) {
        if (current_ && segments_.back().batches >= segment_batches_) close_current();
        if (!current_) {
            const std::uint64_t id = next_id_++;
            current_ = std::fopen(file_of(id).c_str(), "ae");
            if (!current_) {
                if (error) *error = file_of(id).string() + ": " + errno_text();
                return lost + (batches.size() - i);
            }
            segments_.push_back(Info{id, 0, 0, false});
        }
        std::string line = batch_to_json_line(batches[i]);
        line.push_back('\n');
        if (std::fwrite(line.data(), 1, line.size(), current_) != line.size()) {
            if (error) *error = file_of(segments_.back().id).string() + ": " + errno_text();
            close_current();
            return lost + (batches.size() - i);
        }
        segments_.back().batches += 1;
        segments_.back().bytes += line.size();
    }
    // The spool exists for outages that outlive the process, so its lines reach the disk now.
    if (current_ && (std::fflush(current_) != 0 || ::fdatasync(::fileno(current_)) != 0)) {
        if (error) *error = file_of(segments_.back().id).string() + ": " + errno_text();
    }
    return lost + enforce_bound();
}

std::size_t Spool::enforce_bound() {
    std::size_t dropped = 0;
    // Never delete the segment being replayed nor the one being written.
    while (bytes() > max_bytes_ && segments_.size() > 1) {
        auto victim = std::find_if(segments_.begin(), segments_.end(), [&](const Info& s) {
            return !s.replaying && !(current_ && s.id == segments_.back().id);
        });
        if (victim == segments_.end()) break;
        std::error_code ignored;
        std::filesystem::remove(file_of(victim->id), ignored);
        dropped += victim->batches;
        segments_.erase(victim);
    }
    return dropped;
}

bool Spool::has_unread() const {
    return std::any_of(segments_.begin(), segments_.end(), [](const Info& s) { return !s.replaying; });
}

std::optional<Spool::Segment> Spool::take_oldest() {
    auto it = std::find_if(segments_.begin(), segments_.end(), [](const Info& s) { return !s.replaying; });
    if (it == segments_.end()) return std::nullopt;
    // Appends go to a fresh segment from now on, so nothing is added to a file being replayed.
    if (current_ && it->id == segments_.back().id) close_current();
    it->replaying = true;
    Segment segment;
    segment.id = it->id;
    std::ifstream in(file_of(it->id));
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        if (auto batch = batch_from_json_line(line))
            segment.batches.push_back(std::move(*batch));
        else
            ++segment.unreadable;
    }
    return segment;
}

void Spool::consumed(std::uint64_t id) {
    auto it = std::find_if(segments_.begin(), segments_.end(), [&](const Info& s) { return s.id == id; });
    if (it == segments_.end()) return;
    std::error_code ignored;
    std::filesystem::remove(file_of(id), ignored);
    segments_.erase(it);
}

void Spool::rewrite(std::uint64_t id, std::span<const ReadingBatch> remaining) {
    auto it = std::find_if(segments_.begin(), segments_.end(), [&](const Info& s) { return s.id == id; });
    if (it == segments_.end()) return;
    if (remaining.empty()) {
        consumed(id);
        return;
    }
    // Write beside, then rename over: a crash leaves either the old or the new segment whole.
    const auto target = file_of(id);
    auto temp = target;
    temp += ".tmp";
    std::uint64_t size = 0;
    {
        std::ofstream out(temp, std::ios::trunc);
        for (const ReadingBatch& b : remaining) {
            std::string line = batch_to_json_line(b);
            out << line << '\n';
            size += line.size() + 1;
        }
        out.flush();
        if (!out) throw std::system_error(errno, std::generic_category(), temp.string());
    }
    std::filesystem::rename(temp, target);
    it->batches = remaining.size();
    it->bytes = size;
    it->replaying = false;
}

std::size_t Spool::batches() const {
    std::size_t n = 0;
    for (const Info& s : segments_) n += s.batches;
    return n;
}

std::uint64_t Spool::bytes() const {
    std::uint64_t n = 0;
    for (const Info& s : segments_) n += s.bytes;
    return n;
}

}  // namespace kamgw::bus
