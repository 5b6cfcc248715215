// CSV formatting of reading batches, as pure functions: the sink writes what these return,
// and the tests check them without touching a file.
//
// The output follows RFC 4180: a header row, one record per reading, fields that contain a
// comma, a double quote, CR or LF are quoted and their quotes doubled.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "kamgw/reading.hpp"

namespace kamgw::csv {

struct CsvStyle {
    std::string_view line_end = "\r\n";  // RFC 4180 says CRLF; "\n" for tools that want LF
};

// time,meter,serial,key,id,value,unit,quality
std::string format_header(const CsvStyle& style = {});

// One record per reading: ISO-8601 UTC time ("2026-11-25T14:03:07Z", whole seconds), the
// meter's configured name, its serial, the register key and id, the value exactly as the
// meter sent it (Decimal::to_string; empty when the quality is "error", because then there is
// no value), the unit symbol and the quality.
std::string format_rows(std::span<const ReadingBatch> batches, const CsvStyle& style = {});

// A single field, quoted only when it has to be.
std::string escape_field(std::string_view field);

// "2026-11-25T14:03:07Z"; sub-second parts are dropped (truncated toward the past).
std::string format_utc(TimePoint time);

}  // namespace kamgw::csv
