// `kamgw decode` without the command line: text in, JSON Lines out.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/kmp/decode_text.hpp"

namespace kamgw::kmp {
namespace {

using nlohmann::json;

std::vector<json> decode_lines(std::string_view text, bool* bad = nullptr, DecodeTextOptions options = {}) {
    const auto result = decode_text(text, options);
    if (bad) *bad = result.any_bad;
    std::vector<json> out;
    for (const auto& line : result.lines) {
        EXPECT_EQ(line.find('\n'), std::string::npos);
        out.push_back(json::parse(line));  // every line is valid JSON on its own
    }
    return out;
}

TEST(KmpDecodeText, GetRegisterRequestAndResponse) {
    bool bad = true;
    const auto out =
        decode_lines("80 3F 10 01 00 1B 7F D4 08 0D\n40 3F 10 00 1B 7F 16 04 11 01 2A F0 24 63 03 0D\n", &bad);
    EXPECT_FALSE(bad);
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[0]["direction"], "request");
    EXPECT_EQ(out[0]["command"], "GetRegister");
    EXPECT_EQ(out[0]["cid"], 16);
    EXPECT_EQ(out[0]["address"], 63);
    EXPECT_EQ(out[0]["crc_ok"], true);
    EXPECT_EQ(out[0]["registers"], json::array({128}));
    EXPECT_EQ(out[1]["direction"], "response");
    ASSERT_EQ(out[1]["registers"].size(), 1u);
    EXPECT_EQ(out[1]["registers"][0]["id"], 128);
    EXPECT_EQ(out[1]["registers"][0]["key"], "max_power_year");
    EXPECT_EQ(out[1]["registers"][0]["unit"], "kW");
    EXPECT_DOUBLE_EQ(out[1]["registers"][0]["value"].get<double>(), 1.9591204e24);
}

TEST(KmpDecodeText, ValuesAreWrittenAsExactDecimals) {
    // 191757 (0x02ED0D, its last byte stuffed) with SIEX 0x42 is 1917.57: the raw text must
    // not pass through a double.
    const auto result = decode_text("40 3f 10 00 3c 08 04 42 00 02 ed 1b f2 ae 4d 0d");
    ASSERT_EQ(result.lines.size(), 1u) << (result.lines.empty() ? "" : result.lines[0]);
    EXPECT_NE(result.lines[0].find("\"value\":1917.57"), std::string::npos) << result.lines[0];
    EXPECT_NE(result.lines[0].find("\"key\":\"heat_energy\""), std::string::npos);
    EXPECT_NE(result.lines[0].find("\"unit\":\"GJ\""), std::string::npos);
    EXPECT_FALSE(result.any_bad) << result.lines[0];
}

TEST(KmpDecodeText, TypeSerialAndSetClock) {
    bool bad = true;
    const auto out = decode_lines(
        "40 3F 01 00 04 1B F9 01 26 99 0D\n"
        "40 3F 02 01 23 45 67 E9 56 0D\n"
        "80 3F 09 00 01 14 4A 00 02 77 15 77 4E 0D\n",
        &bad);
    EXPECT_FALSE(bad);
    ASSERT_EQ(out.size(), 3u);
    EXPECT_EQ(out[0]["command"], "GetType");
    EXPECT_EQ(out[0]["meter_type"], 4);
    EXPECT_EQ(out[0]["software_revision"], "F1");
    EXPECT_EQ(out[1]["serial"], "19088743");
    EXPECT_EQ(out[2]["command"], "SetClock");
    EXPECT_EQ(out[2]["date"], "2007-07-30");
    EXPECT_EQ(out[2]["time"], "16:15:57");
}

TEST(KmpDecodeText, BadCrcPrintsNoValues) {
    bool bad = false;
    // V25 with the mantissa's last byte changed.
    const auto out = decode_lines("40 3F 10 00 1B 7F 16 04 11 01 2A F0 25 63 03 0D", &bad);
    EXPECT_TRUE(bad);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0]["crc_ok"], false);
    EXPECT_FALSE(out[0].contains("registers"));
    EXPECT_TRUE(out[0].contains("error"));
}

TEST(KmpDecodeText, ReferenceDebugLogWithReadLines) {
    // A request line, its echo and the response arriving one byte per line, with log prefixes.
    std::string log = "2024-01-01 10:00:00.000 DEBUG (MainThread) [kamstrup] Write: 80 3f 10 01 00 3c b2 5f 0d\n";
    for (const char* b : {"80", "3f", "10", "01", "00", "3c", "b2", "5f", "0d", "40", "3f", "10",
                          "00", "3c", "03", "04", "43", "00", "00", "d6", "de", "03", "22", "0d"})
        log += std::string("2024-01-01 10:00:00.100 DEBUG (MainThread) [kamstrup] Read: ") + b + "\n";
    bool bad = true;
    const auto out = decode_lines(log, &bad);
    EXPECT_FALSE(bad);
    ASSERT_EQ(out.size(), 3u);
    EXPECT_EQ(out[0]["direction"], "request");
    EXPECT_EQ(out[1]["direction"], "request");  // the echo, decoded as what it is
    EXPECT_EQ(out[2]["direction"], "response");
    EXPECT_EQ(out[2]["registers"][0]["id"], 60);
    EXPECT_EQ(out[2]["registers"][0]["unit"], "MWh");
    EXPECT_EQ(out[2]["registers"][0]["value"].dump(), "55.006");
}

TEST(KmpDecodeText, RxTimeoutEndsAPartialResponse) {
    bool bad = false;
    const auto out = decode_lines("Read: 40\nRead: 3f\nRead: 10\nRx Timeout\n", &bad);
    EXPECT_TRUE(bad);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_NE(out[0]["error"].get<std::string>().find("truncated"), std::string::npos);
}

TEST(KmpDecodeText, HexWithoutSpacesAndWithPrefixes) {
    bool bad = true;
    auto out = decode_lines("803F01058A0D", &bad);
    EXPECT_FALSE(bad);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0]["command"], "GetType");
    out = decode_lines("0x80 0x3f 0x02 0x35 0xe9 0x0d", &bad);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0]["command"], "GetSerialNo");
}

TEST(KmpDecodeText, AckEchoAndStrayZerosInOneLine) {
    bool bad = true;
    const auto out = decode_lines("00 80 3F 09 00 01 14 4A 00 02 77 15 77 4E 0D 00 06", &bad);
    EXPECT_FALSE(bad);
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[0]["command"], "SetClock");
    EXPECT_EQ(out[1]["direction"], "ack");
}

TEST(KmpDecodeText, UndecodableInputGivesAnError) {
    bool bad = false;
    auto out = decode_lines("hello world", &bad);
    EXPECT_TRUE(bad);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_TRUE(out[0].contains("error"));

    out = decode_lines("12 34 80 3F 01 05 8A 0D", &bad);
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[0]["bytes"], "12 34");
    EXPECT_EQ(out[1]["crc_ok"], true);

    out = decode_lines("80 3F 01 05 8A", &bad);  // no stop byte
    EXPECT_TRUE(bad);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_TRUE(out[0].contains("error"));

    out = decode_lines("40 3F 10 00 3C 1B 0D", &bad);  // V105
    EXPECT_TRUE(bad);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0]["crc_ok"], false);

    out = decode_lines("40 3F 10 00 3C 08 04 00 12 34 AE 97 0D", &bad);  // V107: NOB 4, 2 bytes left
    ASSERT_EQ(out.size(), 1u);
    EXPECT_TRUE(bad);
}

TEST(KmpDecodeText, LogLinesWithoutBytesAreSkipped) {
    bool bad = true;
    const auto out = decode_lines(
        "2024-01-01 10:00:00 DEBUG (MainThread) [kamstrup] Finished update, 0 out of 7 readings failed\n"
        "# a comment\n\n80 3F 01 05 8A 0D\n",
        &bad);
    EXPECT_FALSE(bad);
    ASSERT_EQ(out.size(), 1u);
}

TEST(KmpDecodeText, KamgwsOwnDebugLogDecodes) {
    // What `kamgw read --log-level debug` prints, on a terminal and under journald.
    bool bad = true;
    const auto out = decode_lines(
        "2026-11-25 16:31:02.102 debug meter house: opened /dev/ttyUSB0\n"
        "2026-11-25 16:31:02.106 debug meter house: Write: 80 3f 01 05 8a 0d\n"
        "2026-11-25 16:31:02.221 debug meter house: Read: 40\n"
        "debug meter house: Read: 3f 01 00 04 1b f9 01 26\n"
        "2026-11-25 16:31:02.230 debug meter house: Read: 99 0d\n"
        "info meter house: identified MULTICAL 601 serial 19088743\n",
        &bad);
    EXPECT_FALSE(bad);
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[1]["direction"], "response");
    EXPECT_EQ(out[1]["meter_type"], 4);
    EXPECT_EQ(out[1]["crc_ok"], true);
}

TEST(KmpDecodeText, ExpectedAddress) {
    DecodeTextOptions options;
    options.expected_address = 0x7F;
    bool bad = false;
    auto out = decode_lines("80 3F 01 05 8A 0D", &bad, options);
    EXPECT_TRUE(bad);
    EXPECT_TRUE(out[0].contains("error"));
}

TEST(KmpDecodeText, DateRegistersAreShownAsDates) {
    // Register 1003 (date), unit yy:mm:dd, value 90101 -> 2009-01-01; register 140 with 0 -> not set.
    bool bad = true;
    const auto out = decode_lines("40 3f 10 03 eb 30 04 00 00 01 5f f5 00 8c 30 04 00 00 00 00 00 97 9f 0d", &bad);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_FALSE(bad) << out[0].dump();
    ASSERT_EQ(out[0]["registers"].size(), 2u);
    EXPECT_EQ(out[0]["registers"][0]["key"], "date");
    EXPECT_EQ(out[0]["registers"][0]["date"], "2009-01-01");
    EXPECT_TRUE(out[0]["registers"][1]["date"].is_null());
}

TEST(KmpDecodeText, ParseHex) {
    EXPECT_EQ(parse_hex("80 3f"), (std::vector<std::uint8_t>{0x80, 0x3F}));
    EXPECT_EQ(parse_hex("803F,0d"), (std::vector<std::uint8_t>{0x80, 0x3F, 0x0D}));
    EXPECT_FALSE(parse_hex("8"));
    EXPECT_FALSE(parse_hex("zz"));
    EXPECT_FALSE(parse_hex("   "));
}

}  // namespace
}  // namespace kamgw::kmp
