// The JSON object of one register, the same in `read --json` and `scan --json`: the meter's
// serial is a string (as in the SDK's MeterIdentity and every sink), the value a JSON number
// written with the exact digits the meter sent.
#pragma once

#include <string>
#include <string_view>

#include "kamgw/reading.hpp"

namespace kamgw::app {

// The same object for a register a scan probed; `status` ends it: "found" for a reading, else
// the reason it is missing (not_supported, no_answer, bad_frame, link_down), and then only the
// fields up to "name" come before it.
std::string probed_json(const MeterIdentity& meter, const Reading& reading);
std::string probed_json(const MeterIdentity& meter, const MissingRegister& missing);

}  // namespace kamgw::app
