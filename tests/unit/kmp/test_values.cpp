// Register values: vendor float examples V27–V30 (§7.2), the reference integration's block
// expectations (§6.5), dates and times (§4.3) and random encode/decode round trips.
#include <gtest/gtest.h>

#include <random>

#include "core/kmp/commands.hpp"
#include "core/kmp/value_codec.hpp"
#include "kamgw/units.hpp"
#include "test_helpers.hpp"

namespace kamgw::kmp {
namespace {

using test::bytes;

// "NOB SIEX VALUE…" as in §7.2.
Decimal value_of(std::string_view hex) {
    const auto b = bytes(hex);
    EXPECT_EQ(b.size(), 2u + b[0]) << hex;
    const auto d = decode_value(b[1], std::span(b).subspan(2));
    EXPECT_TRUE(d) << hex;
    return d.value_or(Decimal{});
}

TEST(KmpValues, V27NegativeWithTwoDecimals) { EXPECT_EQ(value_of("04 C2 00 00 30 39").to_string(), "-123.45"); }

TEST(KmpValues, V28PositiveExponent) {
    const auto d = value_of("04 03 05 39 7F B1");
    EXPECT_EQ(d.mantissa, 87654321u);
    EXPECT_EQ(d.to_string(), "87654321000");
}

TEST(KmpValues, V29OneByteMantissa) { EXPECT_EQ(value_of("01 03 FF").to_string(), "255000"); }

TEST(KmpValues, V30RegisterBlocksWithUnits) {
    struct Case {
        const char* block;  // unit NOB SIEX value
        const char* value;
        const char* unit;
    };
    for (const auto& c : {Case{"0A 04 C2 00 00 30 39", "-123.45", "kCal"},
                          Case{"27 04 03 05 39 7F B1", "87654321000", "l"}, Case{"28 01 03 FF", "255000", "m³"}}) {
        auto data = bytes("00 3C");
        const auto block = bytes(c.block);
        data.insert(data.end(), block.begin(), block.end());
        const auto r = parse_get_register(Frame{Direction::response, 0x3F, cid_get_register, data});
        ASSERT_EQ(r.values.size(), 1u) << c.block;
        EXPECT_FALSE(r.truncated);
        EXPECT_EQ(r.values[0].value.to_string(), c.value);
        EXPECT_EQ(unit_symbol(unit_from_code(r.values[0].unit_code)), c.unit);
    }
}

TEST(KmpValues, ReferenceProcessResponseBlocks) {
    struct Case {
        const char* block;
        const char* value;
        Unit unit;
    };
    for (const auto& c :
         {Case{"00 3C 08 02 00 12 34", "4660", Unit::GJ}, Case{"00 3C 08 02 42 12 34", "46.60", Unit::GJ},
          Case{"00 3C 08 02 80 12 34", "-4660", Unit::GJ}, Case{"00 3C 08 04 00 12 34 56 78", "305419896", Unit::GJ},
          Case{"00 3C FF 01 00 42", "66", Unit::unknown}}) {
        const auto r = parse_get_register(Frame{Direction::response, 0x3F, cid_get_register, bytes(c.block)});
        ASSERT_EQ(r.values.size(), 1u) << c.block;
        EXPECT_EQ(r.values[0].id, 60);
        EXPECT_EQ(r.values[0].value.to_string(), c.value) << c.block;
        EXPECT_EQ(unit_from_code(r.values[0].unit_code), c.unit) << c.block;
    }
    // 46.60 and 46.6 are the same number; the reference integration prints 46.6.
    EXPECT_TRUE(Decimal::parse("46.60")->numerically_equal(*Decimal::parse("46.6")));
    // A unit code without a name has no symbol (the reference integration's None).
    EXPECT_EQ(unit_symbol(unit_from_code(0xFF)), "");
}

TEST(KmpValues, ReferenceGetValuesTwoRegisters) {
    const auto wire = encode_frame(
        Frame{Direction::response, 0x3F, cid_get_register, bytes("00 3C 08 02 00 12 34 00 8C 30 03 00 23 01 23")});
    const auto parsed = parse_frame(wire);
    ASSERT_TRUE(parsed);
    ASSERT_EQ(parsed->error, FrameError::none);
    const auto r = parse_get_register(parsed->frame);
    ASSERT_EQ(r.values.size(), 2u);
    EXPECT_EQ(r.values[0].id, 60);
    EXPECT_EQ(r.values[0].value.to_string(), "4660");
    EXPECT_EQ(r.values[1].id, 140);
    EXPECT_EQ(r.values[1].value.mantissa, 2294051u);
    EXPECT_EQ(unit_symbol(unit_from_code(r.values[1].unit_code)), "yy:mm:dd");
    // 2294051 is no yy:mm:dd date.
    EXPECT_FALSE(format_date_time(r.values[1].value, Unit::date_yymmdd));
}

TEST(KmpValues, ExactDecimalsHaveNoBinaryArtefacts) {
    // §4.3: doubles would give 1917.6000000000001, 63.440000000000005 and 0.6000000000000001.
    EXPECT_EQ(value_of("04 42 00 02 ED 10").to_string(), "1917.60");
    EXPECT_EQ(value_of("02 42 18 C8").to_string(), "63.44");
    EXPECT_EQ(value_of("01 41 06").to_string(), "0.6");
    EXPECT_EQ(value_of("04 42 00 02 ED 10").to_double(), 1917.6);
}

TEST(KmpValues, NobZeroIsZeroAndMoreThanEightIsRefused) {
    const auto zero = decode_value(0x42, {});
    ASSERT_TRUE(zero);
    EXPECT_EQ(zero->to_string(), "0.00");  // the exponent is kept: 0 with two decimals
    EXPECT_EQ(zero->mantissa, 0u);
    const std::vector<std::uint8_t> nine(9, 1);
    EXPECT_FALSE(decode_value(0, nine));
    const std::vector<std::uint8_t> eight(8, 0xFF);
    EXPECT_EQ(decode_value(0, eight)->mantissa, UINT64_MAX);
}

TEST(KmpValues, NegativeZeroKeepsItsSign) {
    const auto d = decode_value(0x80, bytes("00"));
    ASSERT_TRUE(d);
    EXPECT_TRUE(d->negative);
    EXPECT_EQ(d->to_string(), "0");
}

TEST(KmpValues, DateAndTimeExamples) {
    const auto text = [](std::string_view hex, Unit unit) {
        return format_date_time(*decode_value(0, bytes(hex)), unit).value_or("<none>");
    };
    EXPECT_EQ(text("00 01 92 58", Unit::clock_hhmmss), "10:30:00");
    EXPECT_EQ(text("00 03 99 B7", Unit::clock_hhmmss), "23:59:59");
    EXPECT_EQ(text("00 00 00 00", Unit::clock_hhmmss), "00:00:00");
    EXPECT_EQ(text("00 00 ED 98", Unit::date_yymmdd), "2006-08-24");
    EXPECT_EQ(text("00 0F 1F FF", Unit::date_yymmdd), "2099-12-31");
    EXPECT_EQ(text("00 00 03 38", Unit::date_mmdd), "08-24");
    EXPECT_EQ(text("00 00 04 CF", Unit::date_mmdd), "12-31");
    // Zero-padded: 90101 is 2009-01-01, not 1990-10-01.
    EXPECT_EQ(format_date_time(Decimal{90101, 0, false}, Unit::date_yymmdd), "2009-01-01");
    EXPECT_EQ(format_date_time(Decimal{220901, 0, false}, Unit::date_yymmdd), "2022-09-01");
    EXPECT_EQ(format_date_time(Decimal{200243, 0, false}, Unit::clock_hhmmss), "20:02:43");
    EXPECT_EQ(format_date_time(Decimal{20240229, 0, false}, Unit::date_yyyymmdd), "2024-02-29");
    // 0 means "not set"; impossible dates and times are refused.
    EXPECT_FALSE(format_date_time(Decimal{0, 0, false}, Unit::date_yymmdd));
    EXPECT_FALSE(format_date_time(Decimal{230229, 0, false}, Unit::date_yymmdd));
    EXPECT_FALSE(format_date_time(Decimal{221301, 0, false}, Unit::date_yymmdd));
    EXPECT_FALSE(format_date_time(Decimal{246000, 0, false}, Unit::clock_hhmmss));
    EXPECT_FALSE(format_date_time(Decimal{220901, 0, false}, Unit::GJ));
}

TEST(KmpValues, EncodeKnownValues) {
    const auto enc = encode_value(*Decimal::parse("-123.45"), 4);
    ASSERT_TRUE(enc);
    EXPECT_EQ(enc->siex, 0xC2);
    EXPECT_EQ(enc->mantissa, bytes("00 00 30 39"));
    // An exponent beyond 63 is folded into the mantissa when it fits.
    const auto big = encode_value(Decimal{5, 64, false}, 1);
    ASSERT_TRUE(big);
    EXPECT_EQ(big->siex, 63);
    EXPECT_EQ(big->mantissa, bytes("32"));
    // Trailing zeros move into the exponent when the mantissa does not fit.
    const auto scaled = encode_value(Decimal{25500, 0, false}, 1);
    ASSERT_TRUE(scaled);
    EXPECT_EQ(decode_value(scaled->siex, scaled->mantissa)->to_string(), "25500");
    EXPECT_FALSE(encode_value(Decimal{25600, 0, false}, 1));  // 256 x 10^2 still needs two bytes
    EXPECT_FALSE(encode_value(Decimal{256, 0, false}, 1));
    EXPECT_FALSE(encode_value(Decimal{1, -64, false}, 8));
    EXPECT_FALSE(encode_value(Decimal{1, 0, false}, 0));
    EXPECT_FALSE(encode_value(Decimal{1, 0, false}, 9));
    EXPECT_EQ(minimal_nob(Decimal{255, 0, false}), 1);
    EXPECT_EQ(minimal_nob(Decimal{256, 0, false}), 2);
    EXPECT_EQ(minimal_nob(Decimal{UINT64_MAX, 0, false}), 8);
}

TEST(KmpValues, RandomRoundTrips) {
    std::mt19937_64 rng(0x6B616D6777ull);
    int checked = 0;
    for (int i = 0; i < 200000; ++i) {
        const auto nob = static_cast<std::uint8_t>(1 + rng() % 8);
        Decimal d;
        const unsigned bits = 8u * nob;
        d.mantissa = bits == 64 ? rng() : rng() & ((std::uint64_t{1} << bits) - 1);
        d.exponent = static_cast<std::int32_t>(rng() % 127) - 63;
        d.negative = (rng() & 1) != 0;
        const auto enc = encode_value(d, nob);
        ASSERT_TRUE(enc) << d.to_string() << " nob " << int(nob);
        ASSERT_EQ(enc->mantissa.size(), nob);
        const auto back = decode_value(enc->siex, enc->mantissa);
        ASSERT_TRUE(back);
        ASSERT_TRUE(back->numerically_equal(d)) << d.to_string() << " -> " << back->to_string();
        if (d.mantissa != 0) {
            ASSERT_EQ(back->negative, d.negative);
        }
        ++checked;
    }
    EXPECT_EQ(checked, 200000);
}

TEST(KmpValues, RandomRegisterResponsesRoundTripThroughTheWire) {
    std::mt19937 rng(424242);
    for (int i = 0; i < 5000; ++i) {
        std::vector<RegisterValue> values(1 + rng() % 8);
        for (auto& v : values) {
            v.id = static_cast<std::uint16_t>(rng());
            v.unit_code = static_cast<std::uint8_t>(rng() % 65);
            v.nob = static_cast<std::uint8_t>(1 + rng() % 4);
            v.value =
                Decimal{rng() % (1u << (8 * v.nob - 1)), static_cast<std::int32_t>(rng() % 7) - 3, (rng() & 1) != 0};
        }
        const auto wire = encode_frame(make_get_register_response(values));
        FrameReceiver rx;
        FrameReceiver::Event ev;
        ASSERT_EQ(rx.feed(wire, ev), wire.size());
        ASSERT_EQ(ev, FrameReceiver::Event::frame);
        ASSERT_EQ(rx.result().error, FrameError::none);
        const auto r = parse_get_register(rx.result().frame);
        ASSERT_FALSE(r.truncated);
        ASSERT_EQ(r.values.size(), values.size());
        for (std::size_t k = 0; k < values.size(); ++k) {
            EXPECT_EQ(r.values[k].id, values[k].id);
            EXPECT_EQ(r.values[k].unit_code, values[k].unit_code);
            EXPECT_EQ(r.values[k].nob, values[k].nob);
            EXPECT_TRUE(r.values[k].value.numerically_equal(values[k].value));
        }
    }
}

}  // namespace
}  // namespace kamgw::kmp
