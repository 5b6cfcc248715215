// transport-rfc2217, loaded as a plugin, through ser2net's telnet(rfc2217) accepter and through
// pyserial's RFC 2217 server, both in front of a pty meter that watches the line settings.
#include <gtest/gtest.h>

#include <boost/asio/steady_timer.hpp>
#include <cstdio>

#include "tests/fixtures/pty/pty_meter.hpp"
#include "tests/integration/transports/transport_harness.hpp"
#include "tests/support/network.hpp"

namespace kamgw::test {
namespace {

class Rfc2217TransportTest : public testing::Test {
protected:
    TransportPlugin plugin{"rfc2217"};
    TempDir dir;
    boost::asio::io_context io;
    CaptureLogger log;

    std::unique_ptr<Transport> make(std::uint16_t port, LineSettings line = {}) {
        return plugin.make(make_context(io, "rfc2217://127.0.0.1:" + std::to_string(port), line, &log));
    }

    static bool contains(const std::vector<ObservedLine>& seen, const std::vector<std::string>& in_order) {
        std::size_t next = 0;
        for (const auto& line : seen) {
            if (next < in_order.size() && to_string(line) == in_order[next]) ++next;
        }
        return next == in_order.size();
    }

    static std::string seen_text(const std::vector<ObservedLine>& seen) {
        std::string text = "settings seen by the pty:";
        for (const auto& line : seen) text += " " + to_string(line);
        return text;
    }

    // Requests and answers with 0xFF bytes, which telnet must double on the wire.
    void expect_iac_bytes_pass(Transport& transport, PtyMeter& meter) {
        const Bytes request = {0x80, 0x3f, 0xff, 0xff, 0x10, 0xff, 0x00, 0x0d};
        const auto before = meter.received().size();
        EXPECT_EQ(exchange(io, transport, request, request.size()), answer_to(request));
        const auto received = meter.received();
        EXPECT_EQ(Bytes(received.begin() + static_cast<std::ptrdiff_t>(before), received.end()), request)
            << "the meter must see each 0xFF once";
    }

    void expect_settings_follow_the_client(std::uint16_t port, PtyMeter& meter) {
        auto transport = make(port, LineSettings{2400, 8, 'N', 1});
        run(io, transport->open(), 10s);
        EXPECT_TRUE(wait_until([&] { return to_string(meter.line()) == "2400/1"; }, 5s))
            << "the pty shows " << to_string(meter.line());
        EXPECT_EQ(exchange(io, *transport, get_serial_request, 6), answer_to(get_serial_request));
        transport->close();

        transport = make(port, LineSettings{1200, 8, 'N', 2});
        run(io, transport->open(), 10s);
        EXPECT_TRUE(wait_until([&] { return to_string(meter.line()) == "1200/2"; }, 5s))
            << "the pty shows " << to_string(meter.line());
        EXPECT_TRUE(contains(meter.lines_seen(), {"2400/1", "1200/2"})) << seen_text(meter.lines_seen());
        expect_iac_bytes_pass(*transport, meter);
    }
};

TEST_F(Rfc2217TransportTest, DescriptorServesRfc2217) {
    const auto& d = plugin.descriptor();
    ASSERT_EQ(d.url_schemes.size(), 1u);
    EXPECT_EQ(d.url_schemes[0], "rfc2217");
}

TEST_F(Rfc2217TransportTest, Ser2netAppliesTheRequestedSettingsAndPassesIac) {
    PtyMeter meter(dir / "meter");
    Ser2net ser2net(dir, meter.link(), true);
    expect_settings_follow_the_client(ser2net.port(), meter);
    // ser2net confirmed all four settings, so open() had nothing to complain about, and it
    // never waited for SET-CONTROL answers a pty cannot give.
    EXPECT_TRUE(log.lines(LogLevel::warn).empty()) << log.lines(LogLevel::warn).front();
}

TEST_F(Rfc2217TransportTest, Ser2netWithEchoingHead) {
    PtyMeter meter(dir / "meter");
    meter.set_echo(true);
    Ser2net ser2net(dir, meter.link(), true);
    auto transport = make(ser2net.port());
    run(io, transport->open(), 10s);
    Bytes expected = get_serial_request;
    const Bytes answer = answer_to(get_serial_request);
    expected.insert(expected.end(), answer.begin(), answer.end());
    EXPECT_EQ(exchange(io, *transport, get_serial_request, expected.size()), expected);
}

TEST_F(Rfc2217TransportTest, RawAccepterWithoutComPortOptionStillWorks) {
    // A server that speaks no telnet at all: negotiation times out softly with a warning.
    PtyMeter meter(dir / "meter");
    Ser2net ser2net(dir, meter.link(), false);
    TransportContext context = make_context(io, "rfc2217://127.0.0.1:" + std::to_string(ser2net.port()), {}, &log);
    context.options.set("negotiation_timeout", std::chrono::milliseconds(300));
    auto transport = plugin.make(context);
    run(io, transport->open(), 10s);
    const auto warnings = log.lines(LogLevel::warn);
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_NE(warnings[0].find("COM-PORT-OPTION"), std::string::npos) << warnings[0];
    // Our telnet greeting reached the meter as data; what matters is that the link is usable.
    EXPECT_EQ(exchange(io, *transport, get_serial_request, 6), answer_to(get_serial_request));
}

TEST_F(Rfc2217TransportTest, Ser2netRestartIsReportedAndReopenWorks) {
    PtyMeter meter(dir / "meter");
    Ser2net ser2net(dir, meter.link(), true);
    auto transport = make(ser2net.port());
    run(io, transport->open(), 10s);

    boost::asio::steady_timer kill(io);
    kill.expires_after(200ms);
    std::chrono::steady_clock::time_point killed_at;
    kill.async_wait([&](const boost::system::error_code&) {
        killed_at = std::chrono::steady_clock::now();
        ser2net.stop();
    });
    std::uint8_t buffer[16];
    const auto error = failure_of(io, transport->read_some(buffer), 10s, [&] { transport->cancel(); });
    ASSERT_TRUE(error);
    EXPECT_NE(error->code(), std::errc::operation_canceled) << error->what();
    EXPECT_NE(std::string(error->what()).find("127.0.0.1:" + std::to_string(ser2net.port())), std::string::npos)
        << error->what();
    const auto noticed_at = std::chrono::steady_clock::now();

    ser2net.start();
    bool reopened = false;
    for (int attempt = 0; attempt < 100 && !reopened; ++attempt) {
        try {
            run(io, transport->open(), 10s);
            reopened = true;
        } catch (const std::system_error&) {
            std::this_thread::sleep_for(100ms);
        }
    }
    ASSERT_TRUE(reopened);
    EXPECT_EQ(exchange(io, *transport, get_serial_request, 6), answer_to(get_serial_request));
    EXPECT_EQ(to_string(meter.line()), "1200/2");
    const auto recovered_at = std::chrono::steady_clock::now();
    std::printf(
        "[ rfc2217 ] failure noticed %lld ms after ser2net stopped; link back %lld ms after that (restart "
        "and negotiation included)\n",
        static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(noticed_at - killed_at).count()),
        static_cast<long long>(
            std::chrono::duration_cast<std::chrono::milliseconds>(recovered_at - noticed_at).count()));
}

TEST_F(Rfc2217TransportTest, PyserialServerAppliesSettingsAndPassesIac) {
    PtyMeter meter(dir / "meter");
    const auto port = free_port();
    ChildProcess server({"/usr/bin/python3", (source_dir() / "tests/fixtures/rfc2217_server_pty.py").string(), "-p",
                         std::to_string(port), meter.link().string()},
                        dir / "pyserial.log");
    // The server says it listens once it does. Probing the port instead would cost a client:
    // pyserial's server takes one at a time and needs up to its serial timeout (3 s) to let go
    // of one, longer than our negotiation timeout, so the next open would find nobody talking.
    ASSERT_TRUE(wait_until([&] { return server.log().find("TCP/IP port: ") != std::string::npos; }, 10s))
        << server.log();
    auto transport = make(port, LineSettings{2400, 8, 'N', 1});
    run(io, transport->open(), 10s);
    EXPECT_TRUE(wait_until([&] { return to_string(meter.line()) == "2400/1"; }, 5s))
        << "the pty shows " << to_string(meter.line()) << "\n"
        << server.log();
    expect_iac_bytes_pass(*transport, meter);
    EXPECT_TRUE(log.lines(LogLevel::warn).empty()) << log.lines(LogLevel::warn).front();
}

}  // namespace
}  // namespace kamgw::test
