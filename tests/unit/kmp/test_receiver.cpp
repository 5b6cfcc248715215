// The receive path against the robustness cases of the protocol notes (§2.4, §7.8, §8).
#include <gtest/gtest.h>

#include <array>
#include <algorithm>
#include <random>

#include "core/kmp/commands.hpp"
#include "core/kmp/frame.hpp"
#include "kamgw/units.hpp"
#include "test_helpers.hpp"

namespace kamgw::kmp {
namespace {

using test::bytes;

// A response built by the rules of §3.5 (not a capture): register 60, unit MWh, NOB 4,
// SIEX 0x43, mantissa 55006, i.e. 55.006 MWh.
std::vector<std::uint8_t> heat_energy_response() {
    const std::array<RegisterValue, 1> values = {RegisterValue{60, 0x03, 4, 0x43, Decimal{55006, -3, false}}};
    return encode_frame(make_get_register_response(values));
}

struct Events {
    std::vector<ParsedFrame> frames;
    int acks = 0;
};

// Feeds everything, in chunks of `chunk` bytes, and collects every event.
Events feed_all(FrameReceiver& rx, std::span<const std::uint8_t> wire, std::size_t chunk = 1 << 20) {
    Events out;
    std::size_t pos = 0;
    while (pos < wire.size()) {
        const auto piece = wire.subspan(pos, std::min(chunk, wire.size() - pos));
        std::size_t used_in_piece = 0;
        while (used_in_piece < piece.size()) {
            FrameReceiver::Event ev;
            const std::size_t used = rx.feed(piece.subspan(used_in_piece), ev);
            EXPECT_GT(used, 0u);
            used_in_piece += used;
            if (ev == FrameReceiver::Event::frame) out.frames.push_back(rx.result());
            if (ev == FrameReceiver::Event::ack) ++out.acks;
        }
        pos += piece.size();
    }
    return out;
}

TEST(KmpReceiver, ConstructedResponseIsWhatTheRulesSay) {
    EXPECT_EQ(heat_energy_response(), bytes("40 3F 10 00 3C 03 04 43 00 00 D6 DE 03 22 0D"));
}

TEST(KmpReceiver, V100EchoedRequestIsSkipped) {
    auto wire = bytes("80 3F 10 01 00 3C B2 5F 0D");
    const auto echo_size = wire.size();
    const auto response = heat_energy_response();
    wire.insert(wire.end(), response.begin(), response.end());
    for (std::size_t chunk : {std::size_t{1}, std::size_t{3}, wire.size()}) {
        FrameReceiver rx;
        const auto ev = feed_all(rx, wire, chunk);
        ASSERT_EQ(ev.frames.size(), 1u) << "chunk " << chunk;
        EXPECT_EQ(ev.frames[0].error, FrameError::none);
        const auto r = parse_get_register(ev.frames[0].frame);
        ASSERT_EQ(r.values.size(), 1u);
        EXPECT_EQ(r.values[0].id, 60);
        EXPECT_EQ(r.values[0].value.to_string(), "55.006");
        EXPECT_EQ(unit_symbol(unit_from_code(r.values[0].unit_code)), "MWh");
        EXPECT_EQ(rx.discarded(), echo_size);
    }
}

TEST(KmpReceiver, V101LeadingGarbageAndStrayZeros) {
    auto wire = bytes("00 00 FF 13 37 00");
    const auto response = heat_energy_response();
    wire.insert(wire.end(), response.begin(), response.end());
    FrameReceiver rx;
    const auto ev = feed_all(rx, wire);
    ASSERT_EQ(ev.frames.size(), 1u);
    EXPECT_EQ(ev.frames[0].error, FrameError::none);
    EXPECT_EQ(rx.discarded(), 6u);
}

TEST(KmpReceiver, V102EveryFlippedDataBitIsRejected) {
    const auto good = heat_energy_response();
    int rejected = 0, checked = 0;
    // Flip each bit of the unstuffed body's data bytes (not start/stop), re-stuffing so the
    // frame stays well-formed: only the CRC can catch it.
    const auto parsed = parse_frame(good);
    ASSERT_TRUE(parsed);
    std::vector<std::uint8_t> body = {parsed->frame.address, parsed->frame.cid};
    body.insert(body.end(), parsed->frame.data.begin(), parsed->frame.data.end());
    body.push_back(static_cast<std::uint8_t>(parsed->crc_received >> 8));
    body.push_back(static_cast<std::uint8_t>(parsed->crc_received));
    for (std::size_t i = 2; i + 2 < body.size(); ++i) {
        for (int bit = 0; bit < 8; ++bit) {
            auto corrupt = body;
            corrupt[i] ^= static_cast<std::uint8_t>(1 << bit);
            std::vector<std::uint8_t> wire = {start_response};
            stuff_into(corrupt, wire);
            wire.push_back(stop_byte);
            FrameReceiver rx;
            const auto ev = feed_all(rx, wire);
            ASSERT_EQ(ev.frames.size(), 1u);
            ++checked;
            if (ev.frames[0].error == FrameError::bad_crc) ++rejected;
        }
    }
    EXPECT_GT(checked, 0);
    EXPECT_EQ(rejected, checked);
}

TEST(KmpReceiver, V103OmittedRegisterIsFoundMissingById) {
    // Request [60, 63]; the meter answers only 60.
    FrameReceiver rx;
    const auto ev = feed_all(rx, heat_energy_response());
    ASSERT_EQ(ev.frames.size(), 1u);
    const auto r = parse_get_register(ev.frames[0].frame);
    EXPECT_FALSE(r.truncated);
    ASSERT_EQ(r.values.size(), 1u);
    EXPECT_EQ(r.values[0].id, 60);
    const bool has_63 = std::any_of(r.values.begin(), r.values.end(), [](const auto& v) { return v.id == 63; });
    EXPECT_FALSE(has_63);
}

TEST(KmpReceiver, ResponseInAnotherOrderIsKeyedById) {
    const std::array<RegisterValue, 2> values = {RegisterValue{63, 3, 4, 0, Decimal{1, 0, false}},
                                                 RegisterValue{60, 3, 4, 0, Decimal{2, 0, false}}};
    const auto r = parse_get_register(make_get_register_response(values));
    ASSERT_EQ(r.values.size(), 2u);
    EXPECT_EQ(r.values[0].id, 63);
    EXPECT_EQ(r.values[1].id, 60);
    EXPECT_EQ(r.values[1].value.mantissa, 2u);
}

TEST(KmpReceiver, V104EmptyRegisterResponseIsValid) {
    const auto wire = encode_frame(Frame{Direction::response, 0x3F, cid_get_register, {}});
    FrameReceiver rx;
    const auto ev = feed_all(rx, wire);
    ASSERT_EQ(ev.frames.size(), 1u);
    EXPECT_EQ(ev.frames[0].error, FrameError::none);
    const auto r = parse_get_register(ev.frames[0].frame);
    EXPECT_TRUE(r.values.empty());
    EXPECT_FALSE(r.truncated);
}

TEST(KmpReceiver, V105EscapeBeforeStopIsTruncated) {
    FrameReceiver rx;
    const auto ev = feed_all(rx, bytes("40 3F 10 00 3C 1B 0D"));
    ASSERT_EQ(ev.frames.size(), 1u);
    EXPECT_EQ(ev.frames[0].error, FrameError::truncated_escape);
}

TEST(KmpReceiver, V106LoneAck) {
    FrameReceiver with_ack(true);
    auto ev = feed_all(with_ack, bytes("06"));
    EXPECT_EQ(ev.acks, 1);
    EXPECT_TRUE(ev.frames.empty());
    // After an echoed SetClock request, too.
    ev = feed_all(with_ack, bytes("80 3F 09 00 01 14 4A 00 02 77 15 77 4E 0D 06"));
    EXPECT_EQ(ev.acks, 1);

    FrameReceiver without_ack(false);
    ev = feed_all(without_ack, bytes("06"));
    EXPECT_EQ(ev.acks, 0);
    EXPECT_EQ(without_ack.discarded(), 1u);
}

TEST(KmpReceiver, AckInsideAFrameIsJustData) {
    // A raw 0x06 cannot be inside a well-formed frame, but if noise puts one there it must
    // not end the frame early.
    FrameReceiver rx(true);
    const auto ev = feed_all(rx, bytes("40 3F 06 0D"));
    EXPECT_EQ(ev.acks, 0);
    ASSERT_EQ(ev.frames.size(), 1u);
    EXPECT_NE(ev.frames[0].error, FrameError::none);
}

TEST(KmpReceiver, V107NobLargerThanTheBytesLeft) {
    // Block for 60 claims NOB 4 but only 2 value bytes follow; the CRC is right.
    const Frame f{Direction::response, 0x3F, cid_get_register, bytes("00 3C 08 04 00 12 34")};
    FrameReceiver rx;
    const auto ev = feed_all(rx, encode_frame(f));
    ASSERT_EQ(ev.frames.size(), 1u);
    EXPECT_EQ(ev.frames[0].error, FrameError::none);
    const auto r = parse_get_register(ev.frames[0].frame);
    EXPECT_TRUE(r.truncated);
    EXPECT_TRUE(r.values.empty());
}

TEST(KmpReceiver, GoodBlocksBeforeATruncatedOneAreKept) {
    const Frame f{Direction::response, 0x3F, cid_get_register, bytes("00 3C 08 02 00 12 34 00 44 28 04 42 00 01")};
    const auto r = parse_get_register(f);
    EXPECT_TRUE(r.truncated);
    ASSERT_EQ(r.values.size(), 1u);
    EXPECT_EQ(r.values[0].value.mantissa, 0x1234u);
}

TEST(KmpReceiver, NobZeroToEight) {
    for (std::uint8_t nob = 0; nob <= 8; ++nob) {
        std::vector<std::uint8_t> data = {0x00, 0x3C, 0x08, nob, 0x00};
        for (std::uint8_t i = 0; i < nob; ++i) data.push_back(0x01);
        const auto r = parse_get_register(Frame{Direction::response, 0x3F, cid_get_register, data});
        EXPECT_FALSE(r.truncated) << int(nob);
        ASSERT_EQ(r.values.size(), 1u);
        std::uint64_t expect = 0;
        for (std::uint8_t i = 0; i < nob; ++i) expect = (expect << 8) | 1;
        EXPECT_EQ(r.values[0].value.mantissa, expect) << int(nob);
    }
    // NOB 9 does not fit the 64-bit mantissa: the block is refused.
    std::vector<std::uint8_t> data = {0x00, 0x3C, 0x08, 9, 0x00, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    EXPECT_TRUE(parse_get_register(Frame{Direction::response, 0x3F, cid_get_register, data}).truncated);
}

TEST(KmpReceiver, SecondStartByteRestartsTheFrame) {
    auto wire = bytes("40 3F 10 00");  // a response cut short by a new one
    const auto response = heat_energy_response();
    wire.insert(wire.end(), response.begin(), response.end());
    FrameReceiver rx;
    const auto ev = feed_all(rx, wire);
    ASSERT_EQ(ev.frames.size(), 1u);
    EXPECT_EQ(ev.frames[0].error, FrameError::none);
    EXPECT_EQ(rx.discarded(), 4u);
}

TEST(KmpReceiver, TruncatedFrameStaysInFrame) {
    const auto response = heat_energy_response();
    FrameReceiver rx;
    const auto ev = feed_all(rx, std::span(response).first(response.size() - 1));
    EXPECT_TRUE(ev.frames.empty());
    EXPECT_TRUE(rx.in_frame());
    rx.reset();
    EXPECT_FALSE(rx.in_frame());
    EXPECT_EQ(rx.discarded(), 0u);
}

TEST(KmpReceiver, FeedStopsAtTheFirstEvent) {
    auto wire = heat_energy_response();
    const auto first_size = wire.size();
    const auto again = heat_energy_response();
    wire.insert(wire.end(), again.begin(), again.end());
    FrameReceiver rx;
    FrameReceiver::Event ev;
    EXPECT_EQ(rx.feed(wire, ev), first_size);
    EXPECT_EQ(ev, FrameReceiver::Event::frame);
}

TEST(KmpReceiver, RunawayFrameIsDroppedNotBuffered) {
    std::vector<std::uint8_t> wire = {0x40};
    wire.insert(wire.end(), 5000, 0x11);
    const auto response = heat_energy_response();
    wire.insert(wire.end(), response.begin(), response.end());
    FrameReceiver rx;
    const auto ev = feed_all(rx, wire);
    ASSERT_EQ(ev.frames.size(), 1u);
    EXPECT_EQ(ev.frames[0].error, FrameError::none);
    EXPECT_EQ(rx.discarded(), 5001u);
}

TEST(KmpReceiver, RandomNoiseNeverYieldsAGoodFrameByAccident) {
    std::mt19937 rng(20240611);
    std::uniform_int_distribution<int> byte(0, 255);
    int frames = 0, good = 0;
    for (int round = 0; round < 2000; ++round) {
        std::vector<std::uint8_t> noise(64);
        for (auto& b : noise) b = static_cast<std::uint8_t>(byte(rng));
        FrameReceiver rx(true);
        const auto ev = feed_all(rx, noise);
        for (const auto& f : ev.frames) {
            ++frames;
            if (f.error == FrameError::none) ++good;
        }
    }
    EXPECT_GT(frames, 0);
    // A 16-bit CRC lets about one in 65536 random frames through; allow a handful.
    EXPECT_LE(good, 3);
}

}  // namespace
}  // namespace kamgw::kmp
