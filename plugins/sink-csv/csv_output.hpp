// The file (or standard output) the CSV sink appends to: creates it and its folder, writes
// the header into a new or empty file only, syncs as the policy says, and rolls a failed
// append back so that the core's retry does not leave half a record or a duplicate.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>

namespace kamgw::csv {

enum class FsyncPolicy : std::uint8_t {
    never,   // the kernel writes back when it likes; a power cut may lose the last records
    batch,   // one fdatasync per append() call (per lane batch)
    always,  // one fdatasync per chunk (per meter poll), and the folder when the file is created
};

class CsvOutput {
public:
    // `path` "-" means standard output (never synced, never reopened).
    CsvOutput(std::filesystem::path path, std::string header, FsyncPolicy fsync);
    ~CsvOutput();
    CsvOutput(const CsvOutput&) = delete;
    CsvOutput& operator=(const CsvOutput&) = delete;

    // Opens (creating folders and the file as needed) and writes the header if the file is
    // empty. On failure returns false and sets `error` to a sentence naming the path.
    bool open(std::string& error);
    void close();
    [[nodiscard]] bool is_open() const { return fd_ >= 0; }
    [[nodiscard]] bool is_stdout() const { return path_ == "-"; }

    // Appends the chunks in order. All or nothing: on failure the file is cut back to where
    // it was (files only) and `error` says why.
    bool append(std::span<const std::string> chunks, std::string& error);

private:
    bool write_all(std::string_view text, std::string& error);
    bool sync(std::string& error);

    std::filesystem::path path_;
    std::string header_;
    FsyncPolicy fsync_;
    int fd_ = -1;
};

FsyncPolicy parse_fsync_policy(std::string_view text);  // unknown text: batch

}  // namespace kamgw::csv
