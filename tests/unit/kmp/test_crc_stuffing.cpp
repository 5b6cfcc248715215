// CRC and byte-stuffing primitives: vectors V01–V12 of the protocol notes (§7.1).
#include <gtest/gtest.h>

#include <string>

#include "core/kmp/crc.hpp"
#include "core/kmp/frame.hpp"
#include "test_helpers.hpp"

namespace kamgw::kmp {
namespace {

using test::bytes;

TEST(KmpCrc, V01CheckValue) {
    const std::string check = "123456789";
    const std::vector<std::uint8_t> data(check.begin(), check.end());
    EXPECT_EQ(crc16_xmodem(data), 0x31C3);
}

TEST(KmpCrc, V02ToV07VendorAndProjectVectors) {
    EXPECT_EQ(crc16_xmodem(bytes("3F 01")), 0x058A);
    EXPECT_EQ(crc16_xmodem(bytes("3F 02")), 0x35E9);
    EXPECT_EQ(crc16_xmodem(bytes("3F 02 01 23 45 67")), 0xE956);
    EXPECT_EQ(crc16_xmodem(bytes("3F 10 01 00 80")), 0xD408);
    EXPECT_EQ(crc16_xmodem(bytes("3F 10 01 00 3C")), 0xB25F);
    EXPECT_EQ(crc16_xmodem(bytes("3F 12 13")), 0xAED7);
}

TEST(KmpCrc, V08ResidueOverBodyAndCrcIsZero) {
    EXPECT_EQ(crc16_xmodem(bytes("3F 01 00 04 06 01 26 99")), 0);
    EXPECT_EQ(crc16_xmodem(bytes("3F 02 01 23 45 67 E9 56")), 0);
    EXPECT_EQ(crc16_xmodem(bytes("3F 10 00 80 16 04 11 01 2A F0 24 63 03")), 0);
}

TEST(KmpCrc, EmptyInputIsZero) { EXPECT_EQ(crc16_xmodem({}), 0); }

// The reference integration's routine: raw polynomial division, bits shifted in MSB first,
// 0x1021 XORed in whenever bit 16 pops out, no augmentation. Kept only here, to show how
// its numbers relate to the wire CRC.
std::uint16_t reference_raw_crc(std::span<const std::uint8_t> data) {
    std::uint32_t reg = 0;
    for (std::uint8_t byte : data) {
        for (int bit = 7; bit >= 0; --bit) {
            reg = (reg << 1) | ((byte >> bit) & 1u);
            if (reg & 0x10000u) reg ^= 0x11021u;
        }
    }
    return static_cast<std::uint16_t>(reg);
}

TEST(KmpCrc, V09ReferenceRawRoutine) {
    EXPECT_EQ(reference_raw_crc({}), 0);
    EXPECT_EQ(reference_raw_crc(bytes("3F 10 01 00 3C")), 64250);
    EXPECT_EQ(reference_raw_crc(bytes("FF")), 255);
}

TEST(KmpCrc, V09RawRoutineOverPaddedBodyEqualsWireCrc) {
    // Appending two zero bytes is the augmentation the raw routine lacks.
    for (const auto* hex : {"3F 01", "3F 02", "3F 10 01 00 3C", "3F 10 01 00 80", "3F 12 13"}) {
        auto padded = bytes(hex);
        const std::uint16_t wire = crc16_xmodem(padded);
        padded.push_back(0);
        padded.push_back(0);
        EXPECT_EQ(reference_raw_crc(padded), wire) << hex;
    }
    // And over body + CRC it leaves the same zero residue.
    EXPECT_EQ(reference_raw_crc(bytes("3F 10 01 00 3C B2 5F")), 0);
    EXPECT_NE(reference_raw_crc(bytes("3F 10 01 00 3C")), crc16_xmodem(bytes("3F 10 01 00 3C")));
}

TEST(KmpStuffing, V10EachEscapedByte) {
    EXPECT_EQ(stuff(bytes("06")), bytes("1B F9"));
    EXPECT_EQ(stuff(bytes("0D")), bytes("1B F2"));
    EXPECT_EQ(stuff(bytes("1B")), bytes("1B E4"));
    EXPECT_EQ(stuff(bytes("40")), bytes("1B BF"));
    EXPECT_EQ(stuff(bytes("80")), bytes("1B 7F"));
}

TEST(KmpStuffing, V11VendorExample) {
    EXPECT_EQ(stuff(bytes("04 0D 00 06")), bytes("04 1B F2 00 1B F9"));
    std::vector<std::uint8_t> raw;
    EXPECT_EQ(unstuff_into(bytes("04 1B F2 00 1B F9"), raw), UnstuffError::none);
    EXPECT_EQ(raw, bytes("04 0D 00 06"));
}

TEST(KmpStuffing, V12PlainBytesPassThrough) {
    EXPECT_EQ(stuff(bytes("12 80 34")), bytes("12 1B 7F 34"));
    EXPECT_EQ(stuff(bytes("00 3F 10 FF 41 7F")), bytes("00 3F 10 FF 41 7F"));
}

TEST(KmpStuffing, OnlyTheFiveBytesAreEscaped) {
    int escaped = 0;
    for (int b = 0; b < 256; ++b) {
        const auto byte = static_cast<std::uint8_t>(b);
        const auto out = stuff(std::span(&byte, 1));
        if (needs_stuffing(byte)) {
            ++escaped;
            ASSERT_EQ(out.size(), 2u);
            EXPECT_EQ(out[0], 0x1B);
            EXPECT_EQ(out[1], static_cast<std::uint8_t>(byte ^ 0xFF));
        } else {
            EXPECT_EQ(out, std::vector<std::uint8_t>{byte});
        }
    }
    EXPECT_EQ(escaped, 5);
}

TEST(KmpStuffing, UnstuffRejectsDanglingAndInvalidEscapes) {
    std::vector<std::uint8_t> raw;
    EXPECT_EQ(unstuff_into(bytes("3F 1B"), raw), UnstuffError::dangling_escape);
    raw.clear();
    EXPECT_EQ(unstuff_into(bytes("3F 1B 00"), raw), UnstuffError::invalid_escape);  // 0x00 ^ 0xFF = 0xFF
}

TEST(KmpStuffing, AllByteValuesRoundTrip) {
    std::vector<std::uint8_t> all(256);
    for (int i = 0; i < 256; ++i) all[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(i);
    const auto stuffed = stuff(all);
    EXPECT_EQ(stuffed.size(), 256u + 5u);
    std::vector<std::uint8_t> back;
    EXPECT_EQ(unstuff_into(stuffed, back), UnstuffError::none);
    EXPECT_EQ(back, all);
}

}  // namespace
}  // namespace kamgw::kmp
