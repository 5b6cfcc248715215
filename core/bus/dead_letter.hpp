// Batches a sink will never take (it rejected them, or they failed retry_limit times) are
// kept in <state>/sinks/<name>/dead-letter.jsonl, one JSON object a line:
//   {"time":"2026-12-01T10:00:00Z","reason":"…","batch":{…the journal's batch JSON…}}
// so that nothing is thrown away unseen and an operator can replay or inspect them.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>

#include "kamgw/reading.hpp"

namespace kamgw::bus {

class DeadLetterFile {
public:
    // Empty path: nothing is kept (counted only). `max_bytes` bounds the file.
    DeadLetterFile(std::filesystem::path path, std::uint64_t max_bytes);
    // Returns false when the batches could not be kept (no file, full, write error).
    bool add(std::span<const ReadingBatch> batches, const std::string& reason, std::string* error);
    [[nodiscard]] const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
    std::uint64_t max_bytes_;
};

}  // namespace kamgw::bus
