// CRC-16/XMODEM (poly 0x1021, init 0, no reflection), the checksum of every KMP frame.
#pragma once

#include <cstdint>
#include <span>

namespace kamgw::kmp {

std::uint16_t crc16_xmodem(std::span<const std::uint8_t> bytes);

}  // namespace kamgw::kmp
