// The register catalogue: every register kamgw knows by name, with its stable key,
// quantity, Home Assistant hints and whether it is read by default.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "kamgw/register_info.hpp"

namespace kamgw::kmp {

std::span<const RegisterInfo> register_catalogue();
const RegisterInfo* find_register(std::uint16_t id);
const RegisterInfo* find_register(std::string_view key);

// A register named in a config or on the command line: a catalogue key ("heat_energy") or a
// number ("60", "0x3c"). Unknown numbers get a synthetic entry with key "r<id>".
std::optional<RegisterInfo> resolve_register(std::string_view token);

// The key for an id: the catalogue key, or "r<id>".
std::string register_key(std::uint16_t id);

// The registers read when a meter's config names none (as the reference integration:
// 60, 266, 68, 99, 113, 1001, 1004).
std::span<const std::uint16_t> default_registers();

// The unit a register usually arrives in (meters differ: E1 may come in GJ, MWh or kWh).
// For documentation, `kamgw registers` and checks of the Home Assistant hints; a reading
// always takes its unit from the meter's UNIT byte.
Unit typical_unit(const RegisterInfo& info);

}  // namespace kamgw::kmp
