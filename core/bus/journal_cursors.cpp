// Each sink's position in the journal, kept in a small file beside the sink's other state.
//
// The file holds "kamgw-cursor 1 <next> <crc>": the first sequence number the sink has not
// yet taken, and a CRC-32 of that number's text. It is replaced by rename, so a crash leaves
// the old or the new position. It is not synced: a position that goes back after a power
// cut only repeats batches (delivery is at least once), it never skips one.
#include <fcntl.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <boost/crc.hpp>
#include <fstream>
#include <sstream>

#include "core/bus/journal.hpp"

namespace kamgw::bus {
namespace {

std::uint32_t crc_of(const std::string& text) {
    boost::crc_32_type crc;
    crc.process_bytes(text.data(), text.size());
    return crc.checksum();
}

enum class CursorRead : std::uint8_t { ok, missing, damaged };

CursorRead read_cursor_file(const std::filesystem::path& file, std::uint64_t& next) {
    std::error_code error;
    if (!std::filesystem::exists(file, error)) return CursorRead::missing;
    if (!std::filesystem::is_regular_file(file, error) || std::filesystem::file_size(file, error) > 256)
        return CursorRead::damaged;
    std::ifstream in(file);
    std::string magic, version, number;
    std::uint32_t crc = 0;
    if (!(in >> magic >> version >> number >> std::hex >> crc)) return CursorRead::damaged;
    if (magic != "kamgw-cursor" || version != "1" || number.empty() || number.size() > 20 ||
        number.find_first_not_of("0123456789") != std::string::npos || crc_of(number) != crc)
        return CursorRead::damaged;
    next = std::stoull(number);
    return CursorRead::ok;
}

bool write_cursor_file(const std::filesystem::path& file, std::uint64_t next) {
    std::error_code error;
    std::filesystem::create_directories(file.parent_path(), error);
    const std::string number = std::to_string(next);
    std::ostringstream text;
    text << "kamgw-cursor 1 " << number << ' ' << std::hex << crc_of(number) << '\n';
    const std::string bytes = text.str();
    auto temp = file;
    temp += ".tmp";
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    if (fd < 0) return false;
    const bool written = ::write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size());
    const bool closed = ::close(fd) == 0;
    if (!written || !closed || ::rename(temp.c_str(), file.c_str()) != 0) {
        ::unlink(temp.c_str());
        return false;
    }
    return true;
}

}  // namespace

void Journal::add_consumer(const std::string& name, const std::filesystem::path& cursor_file) {
    std::lock_guard lock(mutex_);
    auto [it, added] = consumers_.try_emplace(name);
    Consumer& c = it->second;
    c.retained = true;
    if (!added) return;
    c.cursor_file = cursor_file;
    c.next = head_;
    if (!persistent_ || cursor_file.empty()) {
        c.persisted = c.next;
        return;
    }
    std::uint64_t next = 0;
    switch (read_cursor_file(cursor_file, next)) {
        case CursorRead::ok:
            // A journal folder that was emptied by hand restarts the numbering.
            c.next = std::min(next, head_);
            c.persisted = next;
            break;
        case CursorRead::missing:
            // A new sink takes what is published from now on. Its position is on disk at once, so
            // a crash before its first delivery cannot make it skip what waited for it.
            persist_cursor_locked(name, c);
            break;
        case CursorRead::damaged:
            c.next = oldest_seq_locked();
            log_->warn(
                "journal: the position of sink {} in {} is damaged; it gets every batch the journal still "
                "holds (some for a second time)",
                name, cursor_file.string());
            persist_cursor_locked(name, c);
            break;
    }
}

void Journal::persist_cursor_locked(const std::string& name, Consumer& consumer) {
    consumer.persisted_at = SteadyClock::now();
    if (consumer.cursor_file.empty()) {
        consumer.persisted = consumer.next;
        return;
    }
    if (write_cursor_file(consumer.cursor_file, consumer.next)) {
        consumer.persisted = consumer.next;
        return;
    }
    ++counters_.write_errors;
    log_->debug("journal: could not write the position of sink {} to {}", name, consumer.cursor_file.string());
}

}  // namespace kamgw::bus
