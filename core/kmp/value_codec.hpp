// Register values: a unit code, a number of bytes (NOB), a sign/exponent byte (SIEX) and a
// big-endian unsigned mantissa. value = (SI ? -1 : 1) * mantissa * 10^((SE ? -1 : 1) * E).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "kamgw/decimal.hpp"
#include "kamgw/units.hpp"

namespace kamgw::kmp {

// SIEX + mantissa bytes -> exact decimal. NOB 0 gives 0; more than 8 bytes is rejected.
std::optional<Decimal> decode_value(std::uint8_t siex, std::span<const std::uint8_t> mantissa);

// Exact decimal -> SIEX and `nob` mantissa bytes (nob 1..8). Fails when the mantissa does
// not fit or the exponent is beyond ±63.
struct EncodedValue {
    std::uint8_t siex = 0;
    std::vector<std::uint8_t> mantissa;
};
std::optional<EncodedValue> encode_value(const Decimal& value, std::uint8_t nob);

// The fewest mantissa bytes (1..8) that hold `value` exactly, or nullopt if none does.
std::optional<std::uint8_t> minimal_nob(const Decimal& value);

// Decimal-coded dates and times as text. The number is zero-padded before it is split, so
// 90101 in yy:mm:dd is "2009-01-01". A date of 0 means "not set" and gives nullopt, as does
// anything that is not a valid calendar date or clock time, or a unit that is no date/time.
//   date_yymmdd   -> "YYYY-MM-DD" (years 2000..2099)
//   date_yyyymmdd -> "YYYY-MM-DD"
//   date_mmdd     -> "MM-DD"
//   clock_hhmmss  -> "hh:mm:ss" (0 is midnight, a valid time)
std::optional<std::string> format_date_time(const Decimal& value, Unit unit);

}  // namespace kamgw::kmp
