// The example sink's two parts a test needs: the pure formatting function and the sink itself.
#pragma once

#include <memory>
#include <string>

#include "kamgw/kamgw.hpp"

namespace example {

// One line of text for one reading: "2026-11-25T14:03:07Z house heat_energy=1917.57 kWh".
// Pure: a reading in, text out; testable without any file or kamgw process.
std::string format_line(const kamgw::ReadingBatch& batch, const kamgw::Reading& reading);

// A sink that appends format_line() for every reading to the file named by its `path` key.
std::unique_ptr<kamgw::Sink> make_sink();

}  // namespace example
