// ReadingBatch <-> one line of JSON: the payload of a journal record, and a dead letter's batch.
//
// Lossless for everything a sink reads: exact decimals stay mantissa/exponent/sign, times stay
// nanoseconds since the epoch, enums are their numeric values (the unit is the KMP code, which
// never changes). Each line carries a format number so a future layout can still read old journals.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "kamgw/reading.hpp"

namespace kamgw::bus {

inline constexpr int batch_json_version = 1;

// One line without the trailing newline.
std::string batch_to_json_line(const ReadingBatch& batch);
// nullopt for a line that is not a batch of a known format (e.g. a torn last line after a crash).
std::optional<ReadingBatch> batch_from_json_line(std::string_view line);

}  // namespace kamgw::bus
