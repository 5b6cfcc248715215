// Reading a file kamgw was pointed at (configuration, drop-in, secret) without trusting it:
// a link loop, a FIFO, a device, a folder or a file of gigabytes must end in a sentence that
// names the path and says what to do, never in a hang or an unbounded allocation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace kamgw::config {

// A configuration file or drop-in may hold this much; the packaged one is about 10 KiB.
inline constexpr std::size_t config_file_limit = 1024 * 1024;
// A password, token or key file; a secret is one line.
inline constexpr std::size_t secret_file_limit = 64 * 1024;

struct FileText {
    std::string text;
    std::string error;  // empty when `text` holds the file; otherwise what is wrong and what to do
    [[nodiscard]] bool ok() const { return error.empty(); }
};

// The whole file, when it is (after following links) a regular file of at most `limit`
// bytes that can be read. `what` names it in errors: "configuration file", "secret file".
FileText read_bounded_file(const std::filesystem::path& file, std::size_t limit, std::string_view what);

// The first line of a secret file, without its line end ("\n" or "\r\n").
FileText read_secret_file(const std::filesystem::path& file, std::string_view what = "secret file");

// "1 MiB", "64 KiB", "512 bytes".
std::string format_size(std::uintmax_t bytes);

}  // namespace kamgw::config
