// The schemas of the core's own tables: [gateway], [[meter]] and the lane keys every [[sink]]
// accepts. The loader validates with them and the packaged kamgw.toml documents them, so the
// two cannot drift apart.
#pragma once

#include <span>

#include "kamgw/config.hpp"

namespace kamgw::config {

std::span<const ConfigKey> gateway_schema();
// Without `registers` and `register_intervals`, which take register names the loader
// resolves itself (see meter_extra_keys()).
std::span<const ConfigKey> meter_schema();
std::span<const ConfigKey> sink_core_schema();

// Meter keys outside meter_schema(): "registers", "register_intervals".
std::span<const std::string_view> meter_extra_keys();

}  // namespace kamgw::config
