#include "core/kmp/crc.hpp"

#include <array>

namespace kamgw::kmp {
namespace {

// A 256-entry table keeps the per-byte cost to one lookup; the meter session and the
// simulated meter check every frame, and `kamgw decode` may chew through long logs.
constexpr std::array<std::uint16_t, 256> make_table() {
    std::array<std::uint16_t, 256> table{};
    for (unsigned i = 0; i < 256; ++i) {
        auto crc = static_cast<std::uint16_t>(i << 8);
        for (int bit = 0; bit < 8; ++bit)
            crc = static_cast<std::uint16_t>((crc & 0x8000) ? (crc << 1) ^ 0x1021 : (crc << 1));
        table[i] = crc;
    }
    return table;
}

constexpr auto crc_table = make_table();

}  // namespace

std::uint16_t crc16_xmodem(std::span<const std::uint8_t> bytes) {
    std::uint16_t crc = 0;
    for (std::uint8_t b : bytes) crc = static_cast<std::uint16_t>((crc << 8) ^ crc_table[((crc >> 8) ^ b) & 0xFF]);
    return crc;
}

}  // namespace kamgw::kmp
