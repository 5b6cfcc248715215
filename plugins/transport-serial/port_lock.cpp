#include "plugins/transport-serial/port_lock.hpp"

#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <fstream>
#include <sstream>
#include <system_error>
#include <vector>

namespace kamgw::serial {
namespace {

std::vector<std::string_view> split_ws(std::string_view line) {
    std::vector<std::string_view> out;
    std::size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
        const std::size_t start = i;
        while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
        if (i > start) out.push_back(line.substr(start, i - start));
    }
    return out;
}

template <typename T>
bool parse_number(std::string_view text, T& value, int base = 10) {
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value, base);
    return ec == std::errc() && ptr == text.data() + text.size();
}

std::string process_name(pid_t pid) {
    std::ifstream comm("/proc/" + std::to_string(pid) + "/comm");
    std::string name;
    std::getline(comm, name);
    return name;
}

}  // namespace

std::optional<pid_t> find_flock_holder(std::string_view proc_locks, dev_t dev, ino_t ino) {
    while (!proc_locks.empty()) {
        const auto nl = proc_locks.find('\n');
        const std::string_view line = proc_locks.substr(0, nl);
        proc_locks = nl == std::string_view::npos ? std::string_view{} : proc_locks.substr(nl + 1);
        // "1: FLOCK  ADVISORY  WRITE 4711 00:19:7 0 EOF"; a waiting lock has "->" after the
        // number and is not a holder.
        const auto fields = split_ws(line);
        if (fields.size() < 6 || fields[1] != "FLOCK") continue;
        pid_t pid = 0;
        if (!parse_number(fields[4], pid)) continue;
        const std::string_view id = fields[5];
        const auto c1 = id.find(':');
        const auto c2 = id.find(':', c1 + 1);
        if (c1 == std::string_view::npos || c2 == std::string_view::npos) continue;
        unsigned maj = 0, min = 0;
        unsigned long inode = 0;
        if (!parse_number(id.substr(0, c1), maj, 16) || !parse_number(id.substr(c1 + 1, c2 - c1 - 1), min, 16) ||
            !parse_number(id.substr(c2 + 1), inode)) {
            continue;
        }
        if (maj == major(dev) && min == minor(dev) && inode == ino) return pid;
    }
    return std::nullopt;
}

std::string in_use_message(const std::string& path, std::optional<pid_t> holder, const std::string& holder_name) {
    std::string who;
    if (holder) {
        who = " (pid " + std::to_string(*holder);
        if (!holder_name.empty()) who += ", " + holder_name;
        who += ")";
    }
    return path + " is in use by another process" + who + "; only one program may own a meter's port";
}

void lock_exclusively(int fd, const std::string& path) {
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        const int err = errno;
        if (err != EWOULDBLOCK) throw std::system_error(err, std::system_category(), "cannot lock " + path);
        std::optional<pid_t> holder;
        struct stat st {};
        if (::fstat(fd, &st) == 0) {
            std::ifstream locks("/proc/locks");
            std::stringstream text;
            text << locks.rdbuf();
            // The holder may be this very process (a second meter configured on the same
            // port); the pid is still the right answer then.
            holder = find_flock_holder(text.str(), st.st_dev, st.st_ino);
        }
        throw std::system_error(EBUSY, std::system_category(),
                                in_use_message(path, holder, holder ? process_name(*holder) : std::string{}));
    }
    // TIOCEXCL refuses later open()s by programs that ignore flock (root still gets through,
    // which is why the flock comes first).
    if (::ioctl(fd, TIOCEXCL) != 0 && errno != ENOTTY) {
        throw std::system_error(errno, std::system_category(), "cannot make " + path + " exclusive (TIOCEXCL)");
    }
}

}  // namespace kamgw::serial
