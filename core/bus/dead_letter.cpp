#include "core/bus/dead_letter.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <cerrno>
#include <ctime>
#include <system_error>

#include "core/bus/batch_json.hpp"
#include "kamgw/reading_json.hpp"

namespace kamgw::bus {
namespace {

std::string utc_now() { return utc_text(Clock::now()); }

}  // namespace

DeadLetterFile::DeadLetterFile(std::filesystem::path path, std::uint64_t max_bytes)
    : path_(std::move(path)), max_bytes_(max_bytes) {}

bool DeadLetterFile::add(std::span<const ReadingBatch> batches, const std::string& reason, std::string* error) {
    if (path_.empty()) {
        if (error) *error = "there is no state folder";
        return false;
    }
    std::string lines;
    for (const ReadingBatch& b : batches)
        lines += "{\"time\":\"" + utc_now() + "\",\"reason\":" +
                 nlohmann::json(reason).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) +
                 ",\"batch\":" + batch_to_json_line(b) + "}\n";
    std::error_code ec;
    std::filesystem::create_directories(path_.parent_path(), ec);
    const auto size = std::filesystem::file_size(path_, ec);
    if (!ec && size + lines.size() > max_bytes_) {
        if (error) *error = path_.string() + " is full (" + std::to_string(max_bytes_) + " bytes)";
        return false;
    }
    const int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (fd < 0) {
        if (error) *error = path_.string() + ": " + std::error_code(errno, std::generic_category()).message();
        return false;
    }
    const bool ok = ::write(fd, lines.data(), lines.size()) == static_cast<ssize_t>(lines.size());
    const int write_error = errno;
    ::close(fd);
    if (!ok && error) *error = path_.string() + ": " + std::error_code(write_error, std::generic_category()).message();
    return ok;
}

}  // namespace kamgw::bus
