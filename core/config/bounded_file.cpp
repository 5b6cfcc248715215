#include "core/config/bounded_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace kamgw::config {
namespace {

std::string_view kind_of(mode_t mode) {
    if (S_ISDIR(mode)) return "a folder";
    if (S_ISFIFO(mode)) return "a FIFO (named pipe)";
    if (S_ISCHR(mode)) return "a character device";
    if (S_ISBLK(mode)) return "a block device";
    if (S_ISSOCK(mode)) return "a socket";
    return "not a regular file";
}

// "'/etc/kamgw/conf.d/x.toml'" or, for a link, "'/etc/kamgw/conf.d/x.toml' (a link to /dev/zero)".
std::string describe(const std::filesystem::path& file) {
    std::string out = "'" + file.string() + "'";
    std::error_code ec;
    if (!std::filesystem::is_symlink(std::filesystem::symlink_status(file, ec))) return out;
    const auto target = std::filesystem::read_symlink(file, ec);
    if (!ec) out += " (a link to " + target.string() + ")";
    return out;
}

std::string fail(std::string_view what, const std::filesystem::path& file, std::string_view problem,
                 std::string_view remedy) {
    return std::string(what) + " " + describe(file) + " " + std::string(problem) + "; " + std::string(remedy);
}

std::string open_error(std::string_view what, const std::filesystem::path& file, int error) {
    switch (error) {
        case ELOOP:
            return fail(what, file, "is a loop of symbolic links", "point the link at a regular file");
        case ENOENT: {
            std::error_code ec;
            if (std::filesystem::is_symlink(std::filesystem::symlink_status(file, ec)))
                return fail(what, file, "is a broken symbolic link", "point the link at an existing file");
            return fail(what, file, "does not exist", "create it or correct the path");
        }
        case ENOTDIR:
            return fail(what, file, "does not exist (a part of its path is not a folder)", "correct the path");
        case EACCES:
            return fail(what, file, "cannot be read (permission denied)",
                        "let the user kamgw runs as read it (chmod/chgrp)");
        default:
            return fail(what, file, std::string("cannot be read: ") + std::strerror(error), "correct the path");
    }
}

std::string too_big(std::string_view what, const std::filesystem::path& file, std::size_t limit) {
    return fail(what, file, "is larger than " + format_size(limit),
                "a " + std::string(what) + " may hold at most " + format_size(limit));
}

struct Fd {
    int fd = -1;
    ~Fd() {
        if (fd >= 0) ::close(fd);
    }
};

}  // namespace

std::string format_size(std::uintmax_t bytes) {
    if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) == 0) return std::to_string(bytes / (1024 * 1024)) + " MiB";
    if (bytes >= 1024 && bytes % 1024 == 0) return std::to_string(bytes / 1024) + " KiB";
    return std::to_string(bytes) + " bytes";
}

FileText read_bounded_file(const std::filesystem::path& file, std::size_t limit, std::string_view what) {
    // stat() before open(): opening a FIFO blocks and opening a device may act on it.
    struct stat before {};
    if (::stat(file.c_str(), &before) != 0) return {{}, open_error(what, file, errno)};
    if (!S_ISREG(before.st_mode))
        return {{}, fail(what, file, "is " + std::string(kind_of(before.st_mode)), "give a regular file")};
    if (static_cast<std::uintmax_t>(before.st_size) > limit) return {{}, too_big(what, file, limit)};

    // O_NONBLOCK: should the path have been swapped for a FIFO since stat(), open() still returns.
    Fd in{::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)};
    if (in.fd < 0) return {{}, open_error(what, file, errno)};
    struct stat opened {};
    if (::fstat(in.fd, &opened) != 0 || !S_ISREG(opened.st_mode))
        return {{}, fail(what, file, "changed while it was read", "try again")};

    // One byte more than allowed tells a file that grew past the limit after stat().
    std::string text(std::min<std::size_t>(static_cast<std::size_t>(opened.st_size), limit) + 1, '\0');
    std::size_t used = 0;
    while (used < text.size()) {
        const ssize_t n = ::read(in.fd, text.data() + used, text.size() - used);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return {{}, open_error(what, file, errno)};
        if (n == 0) break;
        used += static_cast<std::size_t>(n);
        if (used == text.size() && used <= limit) text.resize(std::min(limit + 1, text.size() * 2));
    }
    if (used > limit) return {{}, too_big(what, file, limit)};
    text.resize(used);
    return {std::move(text), {}};
}

FileText read_secret_file(const std::filesystem::path& file, std::string_view what) {
    FileText result = read_bounded_file(file, secret_file_limit, what);
    if (!result.ok()) return result;
    if (const auto end = result.text.find('\n'); end != std::string::npos) result.text.resize(end);
    if (!result.text.empty() && result.text.back() == '\r') result.text.pop_back();
    return result;
}

}  // namespace kamgw::config
