// Reading InfluxDB's answer to a refused write: which lines it could not parse.
//
// InfluxDB 1.x answers 400 {"error":"unable to parse '<line>': <why>"} (several such
// sentences, one per line, for several bad lines; prefixed "partial write: " when it stored
// the rest). 2.x answers {"code":"invalid","message":"... line 3: <why>"} with 1-based line
// numbers. Either way the sink drops exactly those lines and sends the rest again.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "plugins/sink-influxdb/line_protocol.hpp"

namespace kamgw::influxdb {

// The human text of an error body: the "error" or "message" member of the JSON object, or
// the body itself when it is not JSON.
std::string error_text(std::string_view body);

// Indexes (0-based) of the lines of `sent` that `body` names as unparsable. Empty when the
// body names no line of this payload (then the whole request is at fault).
std::vector<std::size_t> bad_line_indexes(std::string_view body, const LinePayload& sent);

}  // namespace kamgw::influxdb
