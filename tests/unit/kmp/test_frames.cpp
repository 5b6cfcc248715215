// Whole frames: vendor-document examples V20–V26 (§7.2) and the reference integration's
// framing expectations (§6.5), encoded and parsed.
#include <gtest/gtest.h>

#include <array>

#include "core/kmp/commands.hpp"
#include "core/kmp/crc.hpp"
#include "core/kmp/frame.hpp"
#include "core/kmp/register_catalogue.hpp"
#include "kamgw/units.hpp"
#include "test_helpers.hpp"

namespace kamgw::kmp {
namespace {

using test::bytes;

ParsedFrame parse_ok(std::string_view hex) {
    const auto parsed = parse_frame(bytes(hex));
    EXPECT_TRUE(parsed.has_value()) << hex;
    if (!parsed) return {};
    EXPECT_EQ(parsed->error, FrameError::none) << hex << ": " << frame_error_name(parsed->error);
    return *parsed;
}

TEST(KmpFrames, V20GetTypeRequest) {
    EXPECT_EQ(encode_frame(make_get_type()), bytes("80 3F 01 05 8A 0D"));
    const auto p = parse_ok("80 3F 01 05 8A 0D");
    EXPECT_EQ(p.frame.direction, Direction::request);
    EXPECT_EQ(p.frame.address, 0x3F);
    EXPECT_EQ(p.frame.cid, cid_get_type);
    EXPECT_TRUE(p.frame.data.empty());
}

TEST(KmpFrames, V21GetTypeResponse) {
    const auto p = parse_ok("40 3F 01 00 04 1B F9 01 26 99 0D");
    EXPECT_EQ(p.frame.direction, Direction::response);
    const auto info = parse_get_type(p.frame);
    ASSERT_TRUE(info);
    EXPECT_EQ(info->meter_type, 0x0004);
    EXPECT_EQ(info->software_revision, "F1");
    EXPECT_EQ(encode_frame(make_get_type_response(*info)), bytes("40 3F 01 00 04 1B F9 01 26 99 0D"));
}

TEST(KmpFrames, GetTypeWithoutRevision) {
    Frame f{Direction::response, 0x3F, cid_get_type, bytes("00 04 00 00")};
    const auto info = parse_get_type(f);
    ASSERT_TRUE(info);
    EXPECT_EQ(info->software_revision, "");
    f.data.pop_back();
    EXPECT_FALSE(parse_get_type(f));
}

TEST(KmpFrames, V22V23GetSerialNo) {
    EXPECT_EQ(encode_frame(make_get_serial()), bytes("80 3F 02 35 E9 0D"));
    const auto p = parse_ok("40 3F 02 01 23 45 67 E9 56 0D");
    EXPECT_EQ(parse_get_serial(p.frame), 19088743u);
    EXPECT_EQ(encode_frame(make_get_serial_response(19088743u)), bytes("40 3F 02 01 23 45 67 E9 56 0D"));
    EXPECT_FALSE(parse_get_serial(Frame{Direction::response, 0x3F, cid_get_serial, bytes("01 23 45")}));
}

TEST(KmpFrames, V24GetRegisterRequestStuffsTheId) {
    const std::array<std::uint16_t, 1> ids = {128};
    EXPECT_EQ(encode_frame(make_get_register(ids)), bytes("80 3F 10 01 00 1B 7F D4 08 0D"));
    const auto p = parse_ok("80 3F 10 01 00 1B 7F D4 08 0D");
    const auto parsed_ids = parse_get_register_request(p.frame);
    ASSERT_TRUE(parsed_ids);
    EXPECT_EQ(*parsed_ids, std::vector<std::uint16_t>{128});
}

TEST(KmpFrames, V25GetRegisterResponse) {
    const auto p = parse_ok("40 3F 10 00 1B 7F 16 04 11 01 2A F0 24 63 03 0D");
    const auto r = parse_get_register(p.frame);
    EXPECT_FALSE(r.truncated);
    ASSERT_EQ(r.values.size(), 1u);
    EXPECT_EQ(r.values[0].id, 128);
    EXPECT_EQ(r.values[0].unit_code, 0x16);
    EXPECT_EQ(unit_symbol(unit_from_code(r.values[0].unit_code)), "kW");
    EXPECT_EQ(r.values[0].nob, 4);
    EXPECT_EQ(r.values[0].siex, 0x11);
    EXPECT_EQ(r.values[0].value.mantissa, 19591204u);
    EXPECT_EQ(r.values[0].value.exponent, 17);
    EXPECT_FALSE(r.values[0].value.negative);
    EXPECT_DOUBLE_EQ(r.values[0].value.to_double(), 1.9591204e24);
    // The meter side produces the same bytes.
    EXPECT_EQ(encode_frame(make_get_register_response(r.values)),
              bytes("40 3F 10 00 1B 7F 16 04 11 01 2A F0 24 63 03 0D"));
}

TEST(KmpFrames, V26SetClock) {
    const auto frame = make_set_clock(ClockSetting{2007, 7, 30, 16, 15, 57});
    ASSERT_TRUE(frame);
    EXPECT_EQ(encode_frame(*frame), bytes("80 3F 09 00 01 14 4A 00 02 77 15 77 4E 0D"));
    const auto p = parse_ok("80 3F 09 00 01 14 4A 00 02 77 15 77 4E 0D");
    const auto clock = parse_set_clock(p.frame);
    ASSERT_TRUE(clock);
    EXPECT_EQ(clock->year, 2007);
    EXPECT_EQ(clock->month, 7u);
    EXPECT_EQ(clock->day, 30u);
    EXPECT_EQ(clock->hour, 16u);
    EXPECT_EQ(clock->minute, 15u);
    EXPECT_EQ(clock->second, 57u);
}

TEST(KmpFrames, V26TheDocumentsPrintedCrcIsRejected) {
    const auto p = parse_frame(bytes("80 3F 09 00 01 14 4A 00 02 77 15 C3 4A 0D"));
    ASSERT_TRUE(p);
    EXPECT_EQ(p->error, FrameError::bad_crc);
    EXPECT_EQ(p->crc_computed, 0x774E);
    EXPECT_EQ(p->crc_received, 0xC34A);
}

TEST(KmpFrames, ReferenceSendEscapesAddressCidAndCrc) {
    // §6.5: sending body 40 1B 06 gives 80 1B BF 1B E4 1B F9 A2 E2 0D.
    const Frame f{Direction::request, 0x40, 0x1B, bytes("06")};
    EXPECT_EQ(encode_frame(f), bytes("80 1B BF 1B E4 1B F9 A2 E2 0D"));
    const auto p = parse_ok("80 1B BF 1B E4 1B F9 A2 E2 0D");
    EXPECT_EQ(p.frame.address, 0x40);
    EXPECT_EQ(p.frame.cid, 0x1B);
    EXPECT_EQ(p.frame.data, bytes("06"));
}

TEST(KmpFrames, CrcBytesAreStuffedToo) {
    // Find a body whose CRC contains an escaped byte and check both directions.
    int found = 0;
    for (std::uint16_t id = 0; id < 2000 && found < 20; ++id) {
        const std::array<std::uint16_t, 1> ids = {id};
        const Frame f = make_get_register(ids);
        std::vector<std::uint8_t> body = {f.address, f.cid};
        body.insert(body.end(), f.data.begin(), f.data.end());
        const std::uint16_t crc = crc16_xmodem(body);
        if (!needs_stuffing(static_cast<std::uint8_t>(crc >> 8)) && !needs_stuffing(static_cast<std::uint8_t>(crc)))
            continue;
        ++found;
        const auto wire = encode_frame(f);
        for (std::size_t i = 1; i + 1 < wire.size(); ++i) {
            EXPECT_NE(wire[i], 0x0D);
            EXPECT_NE(wire[i], 0x80);
            EXPECT_NE(wire[i], 0x40);
        }
        const auto p = parse_frame(wire);
        ASSERT_TRUE(p);
        EXPECT_EQ(p->error, FrameError::none);
        EXPECT_EQ(p->crc_received, crc);
    }
    EXPECT_EQ(found, 20);
}

TEST(KmpFrames, DefaultRequestIsOneSevenRegisterFrame) {
    // §5.2: the reference integration's default poll.
    EXPECT_EQ(encode_frame(make_get_register(default_registers())),
              bytes("80 3F 10 07 00 3C 01 0A 00 44 00 63 00 71 03 E9 03 EC 6B B7 0D"));
}

TEST(KmpFrames, LoggerAddressesAreParameters) {
    EXPECT_EQ(encode_frame(make_get_type(address_logger_top))[1], 0x7F);
    const auto base = encode_frame(make_get_serial(address_logger_base));
    EXPECT_EQ(base[1], 0xBF);
    const auto p = parse_frame(base);
    ASSERT_TRUE(p);
    EXPECT_EQ(p->error, FrameError::none);
    EXPECT_EQ(p->frame.address, 0xBF);
}

TEST(KmpFrames, GetRegisterTakesOneToEightIds) {
    std::vector<std::uint16_t> ids;
    EXPECT_THROW(make_get_register(ids), std::invalid_argument);
    for (std::uint16_t i = 1; i <= 8; ++i) {
        ids.push_back(i);
        const auto p = parse_frame(encode_frame(make_get_register(ids)));
        ASSERT_TRUE(p);
        EXPECT_EQ(parse_get_register_request(p->frame), ids);
    }
    ids.push_back(9);
    EXPECT_THROW(make_get_register(ids), std::invalid_argument);  // V108: never N > 8
}

TEST(KmpFrames, ParseFrameRejectsWhatIsNotOneFrame) {
    EXPECT_FALSE(parse_frame(bytes("3F 01 05 8A 0D")));                       // no start byte
    EXPECT_FALSE(parse_frame(bytes("80 3F 01 05 8A")));                       // no stop byte
    EXPECT_FALSE(parse_frame(bytes("80 3F 01 05 8A 0D 80 3F 01 05 8A 0D")));  // two frames
    const auto short_frame = parse_frame(bytes("40 3F 01 0D"));
    ASSERT_TRUE(short_frame);
    EXPECT_EQ(short_frame->error, FrameError::too_short);
    const auto dangling = parse_frame(bytes("40 3F 10 1B 0D"));
    ASSERT_TRUE(dangling);
    EXPECT_EQ(dangling->error, FrameError::truncated_escape);  // V105
    const auto invalid = parse_frame(bytes("40 3F 10 1B 00 12 34 0D"));
    ASSERT_TRUE(invalid);
    EXPECT_EQ(invalid->error, FrameError::invalid_escape);
}

TEST(KmpFrames, ToHexIsLowerCaseAndSpaced) {
    EXPECT_EQ(to_hex(bytes("80 3F 10 0D")), "80 3f 10 0d");
    EXPECT_EQ(to_hex({}), "");
}

}  // namespace
}  // namespace kamgw::kmp
