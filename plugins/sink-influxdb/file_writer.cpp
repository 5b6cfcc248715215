#include "plugins/sink-influxdb/file_writer.hpp"

#include <cerrno>
#include <cstring>
#include <system_error>

namespace kamgw::influxdb {

FileWriter::FileWriter(std::filesystem::path path) : path_(std::move(path)) {}

FileWriter::~FileWriter() {
    if (file_ && file_ != stdout) std::fclose(file_);
}

std::string FileWriter::open() {
    if (file_) return {};
    if (path_ == "-") {
        file_ = stdout;
        return {};
    }
    std::error_code ec;
    if (path_.has_parent_path()) std::filesystem::create_directories(path_.parent_path(), ec);
    file_ = std::fopen(path_.c_str(), "ae");
    if (!file_) return "cannot open " + path_.string() + " for appending: " + std::strerror(errno);
    return {};
}

std::string FileWriter::write(std::string_view text) {
    if (std::string err = open(); !err.empty()) return err;
    // A failed write may have left half a line; the retried text starts on a line of its own
    // so only that half line is lost to a reader, not the first point of the retry.
    if (partial_line_ && std::fputc('\n', file_) != EOF) partial_line_ = false;
    const std::size_t n = std::fwrite(text.data(), 1, text.size(), file_);
    if (n != text.size() || std::fflush(file_) != 0) {
        const std::string err = "cannot write " + path_.string() + ": " + std::strerror(errno);
        partial_line_ = true;
        reopen();
        return err;
    }
    return {};
}

void FileWriter::reopen() {
    if (file_ && file_ != stdout) std::fclose(file_);
    file_ = nullptr;
}

}  // namespace kamgw::influxdb
