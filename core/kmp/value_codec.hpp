// Register values: a unit code, a number of bytes (NOB), a sign/exponent byte (SIEX) and a
// big-endian unsigned mantissa. value = (SI ? -1 : 1) * mantissa * 10^((SE ? -1 : 1) * E).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "kamgw/decimal.hpp"

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

}  // namespace kamgw::kmp
