// `kamgw read` against `kamgw sim --pty` through every path a real installation uses: ser2net
// raw (socket:// and tcp://), ser2net RFC 2217 (rfc2217://) and the pty itself (a local IR
// head), each with a clean optical head and with one that echoes every request.
//
// The sim runs with --strict-line: like a real meter it ignores requests unless the line is at
// 1200 baud with 2 stop bits, so an answer proves the settings arrived at the "meter". For
// RFC 2217 ser2net's own default is 9600 8N1, so only kamgw's negotiation can put 1200 8N2 there.
#include <gtest/gtest.h>

#include "tests/integration/e2e/e2e_harness.hpp"

namespace kamgw::test::e2e {
namespace {

enum class Path { ser2net_socket, ser2net_tcp, ser2net_rfc2217, direct_serial };

struct ReadCase {
    Path path;
    bool echo;
    std::uint32_t serial;
};

std::string path_name(Path p) {
    switch (p) {
        case Path::ser2net_socket:
            return "Ser2netRawSocket";
        case Path::ser2net_tcp:
            return "Ser2netRawTcp";
        case Path::ser2net_rfc2217:
            return "Ser2netRfc2217";
        case Path::direct_serial:
            return "DirectSerial";
    }
    return "?";
}

void PrintTo(const ReadCase& c, std::ostream* out) {
    *out << path_name(c.path) << (c.echo ? " with an echoing head" : "") << ", serial " << c.serial;
}

class ReadThroughTheWire : public testing::TestWithParam<ReadCase> {};

TEST_P(ReadThroughTheWire, ReturnsTheSimulatedMetersSerialAndValues) {
    const ReadCase c = GetParam();
    TempDir dir;
    SimMeter meter(dir, {.serial = c.serial, .faults = c.echo ? "echo" : "", .strict_line = true});

    std::optional<Ser2net> bridge;
    std::string url;
    switch (c.path) {
        case Path::ser2net_socket:
            bridge.emplace(dir, meter.link(), BridgeMode::raw);
            url = "socket://127.0.0.1:" + std::to_string(bridge->port());
            break;
        case Path::ser2net_tcp:
            bridge.emplace(dir, meter.link(), BridgeMode::raw);
            url = "tcp://127.0.0.1:" + std::to_string(bridge->port());
            break;
        case Path::ser2net_rfc2217:
            bridge.emplace(dir, meter.link(), BridgeMode::rfc2217, "9600n81");
            url = "rfc2217://127.0.0.1:" + std::to_string(bridge->port());
            break;
        case Path::direct_serial:
            url = meter.link().string();
            break;
    }

    // A loaded machine may stretch the 2 s first-byte timeout; the answer itself needs ~1 s.
    const auto result = kamgw_read({url, "--json", "--timeout", "5s"});
    ASSERT_EQ(result.exit_code, 0) << result.output << "\n--- sim:\n" << meter.log();

    ASSERT_GE(result.readings.size(), 5u) << result.output;
    for (const auto& r : result.readings) {
        EXPECT_EQ(r.value("serial", ""), std::to_string(c.serial)) << r.dump();
        ASSERT_TRUE(r.contains("value")) << r.dump();
        EXPECT_TRUE(r["value"].is_number()) << "not a number: " << r.dump();
        EXPECT_FALSE(r.value("unit", "?") == "?") << r.dump();
    }
    for (const std::string key : {"heat_energy", "volume", "hour_counter", "info", "serial"})
        EXPECT_NE(result.find(key), nullptr) << "no " << key << " in\n" << result.output;
    // The serial register carries the number itself, and the simulated counters are positive.
    if (const auto* serial = result.find("serial")) {
        EXPECT_EQ(serial->at("value").get<double>(), c.serial);
    }
    if (const auto* energy = result.find("heat_energy")) {
        EXPECT_GT(energy->at("value").get<double>(), 0.0);
    }
    if (const auto* hours = result.find("hour_counter")) {
        EXPECT_GT(hours->at("value").get<double>(), 0.0);
    }

    const auto seen = meter.line_settings_seen();
    EXPECT_NE(std::find(seen.begin(), seen.end(), "1200 8N2"), seen.end())
        << "the sim never saw 1200 baud with 2 stop bits; it logged:\n"
        << meter.log();
    EXPECT_EQ(meter.log().find("ignored: the line is not"), std::string::npos)
        << "a request reached the meter on a wrongly set line:\n"
        << meter.log();
    if (c.echo) {
        EXPECT_NE(meter.log().find("faults echo"), std::string::npos) << meter.log();
    }
}

INSTANTIATE_TEST_SUITE_P(
    AllPaths, ReadThroughTheWire,
    testing::Values(ReadCase{Path::ser2net_socket, false, 61000001}, ReadCase{Path::ser2net_socket, true, 61000002},
                    ReadCase{Path::ser2net_tcp, false, 61000003}, ReadCase{Path::ser2net_tcp, true, 61000004},
                    ReadCase{Path::ser2net_rfc2217, false, 61000005}, ReadCase{Path::ser2net_rfc2217, true, 61000006},
                    ReadCase{Path::direct_serial, false, 61000007}, ReadCase{Path::direct_serial, true, 61000008}),
    [](const testing::TestParamInfo<ReadCase>& info) {
        return path_name(info.param.path) + (info.param.echo ? "EchoingHead" : "CleanHead");
    });

// The sim's strictness is what makes the line assertions above mean something: a client that
// leaves ser2net's RFC 2217 default (9600 8N1) in place gets no answer. Raw mode cannot change
// the line, so a raw connection to a 9600 8N1 connector plays that client.
TEST(ReadThroughTheWireControl, AMeterOnAWronglySetLineDoesNotAnswer) {
    TempDir dir;
    SimMeter meter(dir, {.serial = 61000009, .strict_line = true});
    Ser2net bridge(dir, meter.link(), BridgeMode::raw, "9600n81");
    const auto result =
        kamgw_read({"socket://127.0.0.1:" + std::to_string(bridge.port()), "--json", "--timeout", "1s"});
    EXPECT_NE(result.exit_code, 0) << result.output;
    EXPECT_TRUE(result.readings.empty()) << result.output;
    EXPECT_NE(meter.log().find("ignored: the line is not"), std::string::npos) << meter.log();
    const auto seen = meter.line_settings_seen();
    EXPECT_NE(std::find(seen.begin(), seen.end(), "9600 8N1"), seen.end()) << meter.log();
}

// Failures a user meets first: the bridge is not there, or the meter does not answer. Both end
// with the documented exit code 69 (EX_UNAVAILABLE), no readings and a sentence on stderr.
TEST(ReadThroughTheWireFailures, NothingListeningIsUnavailable) {
    TempDir dir;
    SimMeter meter(dir, {.serial = 61000010});
    std::uint16_t port = 0;
    {
        Ser2net bridge(dir, meter.link(), BridgeMode::raw);
        port = bridge.port();
        bridge.kill_hard();
    }
    const auto result = kamgw_read({"socket://127.0.0.1:" + std::to_string(port), "--json", "--timeout", "1s"});
    EXPECT_EQ(result.exit_code, 69) << result.output;
    EXPECT_TRUE(result.readings.empty()) << result.output;
    EXPECT_NE(result.output.find("kamgw read:"), std::string::npos) << result.output;
}

TEST(ReadThroughTheWireFailures, ASilentMeterIsUnavailable) {
    TempDir dir;
    SimMeter meter(dir, {.serial = 61000011, .faults = "silent"});
    Ser2net bridge(dir, meter.link(), BridgeMode::rfc2217);
    const auto result =
        kamgw_read({"rfc2217://127.0.0.1:" + std::to_string(bridge.port()), "--json", "--timeout", "1s"});
    EXPECT_EQ(result.exit_code, 69) << result.output;
    EXPECT_TRUE(result.readings.empty()) << result.output;
    EXPECT_NE(result.output.find("no answer"), std::string::npos) << result.output;
    EXPECT_NE(meter.log().find("GetSerialNo"), std::string::npos) << "the request never reached the meter:\n"
                                                                  << meter.log();
}

}  // namespace
}  // namespace kamgw::test::e2e
