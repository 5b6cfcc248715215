// InfluxDB line protocol: reading batches -> text, as pure functions.
//
// Everything here is free of I/O so the exact bytes a sink sends can be tested without a
// server. The sink posts `LinePayload::text` (or slices of it) and uses the line offsets to
// drop a single line the server refused.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "kamgw/reading.hpp"

namespace kamgw::influxdb {

enum class Precision : std::uint8_t { ns, us, ms, s };
enum class Layout : std::uint8_t {
    narrow,  // one point per reading: tags meter, serial, model, key, unit; field `value`
    wide,    // one point per poll: tags meter, serial, model; one field per register key
};

std::string_view precision_name(Precision p);

struct FormatOptions {
    std::string measurement = "kamstrup";
    Precision precision = Precision::s;
    Layout layout = Layout::narrow;
};

// A reading (or a whole wide point) left out because the line protocol cannot carry it.
struct DroppedReading {
    std::string meter;
    std::string key;  // empty when a whole wide point was dropped
    std::string reason;
};

// Line protocol text, every line terminated by '\n', with where each line ends so one line
// can be cut out or the text sliced into requests without parsing it again.
struct LinePayload {
    std::string text;
    std::vector<std::size_t> line_ends;  // offset just past each line's '\n'
    std::vector<DroppedReading> dropped;

    [[nodiscard]] std::size_t lines() const { return line_ends.size(); }
    [[nodiscard]] std::string_view line(std::size_t i) const;  // without the '\n'
    // Lines [first, first + count) as one contiguous piece of `text`.
    [[nodiscard]] std::string_view slice(std::size_t first, std::size_t count) const;
};

// Escaping exactly as the line protocol asks; none of these accept a newline (see has_newline).
void append_measurement(std::string& out, std::string_view measurement);  // escapes ',' and ' '
void append_tag_or_field_key(std::string& out, std::string_view text);    // escapes ',', '=' and ' '
void append_string_field_value(std::string& out, std::string_view text);  // "…" with '"' and '\' escaped
inline void append_tag_value(std::string& out, std::string_view text) { append_tag_or_field_key(out, text); }

// Line protocol has no way to carry CR or LF inside a name or a tag.
bool has_newline(std::string_view text);

// The reading time as an integer count of `precision` units since the Unix epoch (floored).
std::int64_t timestamp(TimePoint time, Precision precision);

// All `Quality::ok` readings of `batches`, oldest first, one line per point.
LinePayload format_lines(std::span<const ReadingBatch> batches, const FormatOptions& options);

// The same payload without the lines whose indexes are listed.
LinePayload without_lines(const LinePayload& payload, std::span<const std::size_t> drop);

}  // namespace kamgw::influxdb
