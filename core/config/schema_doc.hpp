// A commented TOML snippet that documents a schema: used by `kamgw plugins`, the docs and
// the sample configs, so the documentation is generated from the same table that validates.
#pragma once

#include <span>
#include <string>

#include "kamgw/config.hpp"

namespace kamgw::config {

// For each key: a "# doc" line, a "# type, default, bounds" line, then the key itself,
// commented out unless it is required (so pasting the snippet yields a valid table once the
// required values are filled in).
std::string render_schema_doc(std::span<const ConfigKey> schema);

}  // namespace kamgw::config
