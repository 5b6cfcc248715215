#include "csv_output.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

namespace kamgw::csv {

namespace {

std::string errno_text() { return std::strerror(errno); }

void sync_folder(const std::filesystem::path& folder) {
    // The new file's name lives in its folder: sync that too, or a crash may lose the file.
    const int fd = ::open(folder.empty() ? "." : folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return;
    ::fsync(fd);
    ::close(fd);
}

}  // namespace

FsyncPolicy parse_fsync_policy(std::string_view text) {
    if (text == "never") return FsyncPolicy::never;
    if (text == "always") return FsyncPolicy::always;
    return FsyncPolicy::batch;
}

CsvOutput::CsvOutput(std::filesystem::path path, std::string header, FsyncPolicy fsync)
    : path_(std::move(path)), header_(std::move(header)), fsync_(fsync) {}

CsvOutput::~CsvOutput() { close(); }

void CsvOutput::close() {
    if (fd_ >= 0 && !is_stdout()) ::close(fd_);
    fd_ = -1;
}

bool CsvOutput::open(std::string& error) {
    close();
    if (is_stdout()) {
        fd_ = STDOUT_FILENO;
        // Standard output has no "new or empty" state to look at: a header once per start.
        if (!header_.empty() && !write_all(header_, error)) {
            fd_ = -1;
            return false;
        }
        return true;
    }
    std::error_code ec;
    if (path_.has_parent_path()) {
        std::filesystem::create_directories(path_.parent_path(), ec);
        if (ec) {
            error = "cannot create the folder " + path_.parent_path().string() + ": " + ec.message();
            return false;
        }
    }
    const bool existed = std::filesystem::exists(path_, ec);
    // Read access only to look at the last byte of an existing file.
    fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd_ < 0) {
        error = "cannot open " + path_.string() + " for appending: " + errno_text();
        return false;
    }
    struct stat st {};
    if (::fstat(fd_, &st) != 0) {
        error = "cannot examine " + path_.string() + ": " + errno_text();
        close();
        return false;
    }
    std::string preamble;
    if (st.st_size == 0) {
        preamble = header_;
    } else {
        // A crash may have cut the last record short; start on a fresh line rather than glue
        // the next record onto it.
        char last = '\n';
        if (::pread(fd_, &last, 1, st.st_size - 1) == 1 && last != '\n') preamble = "\n";
    }
    if (!preamble.empty() && (!write_all(preamble, error) || (fsync_ != FsyncPolicy::never && !sync(error)))) {
        close();
        return false;
    }
    if (!existed && fsync_ == FsyncPolicy::always) sync_folder(path_.parent_path());
    return true;
}

bool CsvOutput::write_all(std::string_view text, std::string& error) {
    while (!text.empty()) {
        const ssize_t n = ::write(fd_, text.data(), text.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            error = "cannot write to " + path_.string() + ": " + errno_text();
            return false;
        }
        text.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

bool CsvOutput::sync(std::string& error) {
    if (is_stdout() || fsync_ == FsyncPolicy::never) return true;
    if (::fdatasync(fd_) != 0) {
        error = "cannot sync " + path_.string() + " to disk: " + errno_text();
        return false;
    }
    return true;
}

bool CsvOutput::append(std::span<const std::string> chunks, std::string& error) {
    if (fd_ < 0) {
        error = path_.string() + " is not open";
        return false;
    }
    struct stat st {};
    const bool can_roll_back = !is_stdout() && ::fstat(fd_, &st) == 0 && S_ISREG(st.st_mode);
    bool ok = true;
    for (const std::string& chunk : chunks) {
        ok = write_all(chunk, error) && (fsync_ != FsyncPolicy::always || sync(error));
        if (!ok) break;
    }
    if (ok && fsync_ == FsyncPolicy::batch) ok = sync(error);
    if (!ok && can_roll_back && ::ftruncate(fd_, st.st_size) != 0)
        error += " (and cutting back the partial records failed: " + errno_text() + ")";
    return ok;
}

}  // namespace kamgw::csv
