// transport-tcp, loaded as a plugin, through ser2net in raw mode in front of a pty meter.
#include <gtest/gtest.h>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstdio>

#include "tests/fixtures/pty/pty_meter.hpp"
#include "tests/integration/transports/transport_harness.hpp"
#include "tests/support/network.hpp"

namespace kamgw::test {
namespace {

class TcpTransportTest : public testing::Test {
protected:
    TransportPlugin plugin{"tcp"};
    TempDir dir;
    boost::asio::io_context io;
};

TEST_F(TcpTransportTest, DescriptorServesSocketAndTcp) {
    const auto& d = plugin.descriptor();
    EXPECT_EQ(d.kind, PluginKind::transport);
    ASSERT_EQ(d.url_schemes.size(), 2u);
    EXPECT_EQ(d.url_schemes[0], "socket");
    EXPECT_EQ(d.url_schemes[1], "tcp");
    bool has_timeout = false;
    for (const auto& key : d.config) has_timeout |= key.key == "connect_timeout";
    EXPECT_TRUE(has_timeout);
}

TEST_F(TcpTransportTest, BytesPassThroughSer2netRaw) {
    PtyMeter meter(dir / "meter");
    Ser2net ser2net(dir, meter.link(), false);
    auto transport = plugin.make(make_context(io, "socket://127.0.0.1:" + std::to_string(ser2net.port())));
    run(io, transport->open(), 10s);
    EXPECT_EQ(exchange(io, *transport, get_serial_request, 6), answer_to(get_serial_request));
    EXPECT_EQ(to_string(meter.line()), "1200/2") << "ser2net applies its own 1200n82";
    // Every byte value, 0xFF and KMP's special bytes included, passes unchanged.
    Bytes all = {0x80};
    for (int i = 0; i < 256; ++i) {
        if (i != 0x80 && i != 0x0d) all.push_back(static_cast<std::uint8_t>(i));
    }
    all.push_back(0x0d);
    EXPECT_EQ(exchange(io, *transport, all, all.size()), answer_to(all));
}

TEST_F(TcpTransportTest, TcpSchemeAndEchoingHead) {
    PtyMeter meter(dir / "meter");
    meter.set_echo(true);
    Ser2net ser2net(dir, meter.link(), false);
    auto transport = plugin.make(make_context(io, "tcp://127.0.0.1:" + std::to_string(ser2net.port())));
    run(io, transport->open(), 10s);
    Bytes expected = get_serial_request;
    const Bytes answer = answer_to(get_serial_request);
    expected.insert(expected.end(), answer.begin(), answer.end());
    EXPECT_EQ(exchange(io, *transport, get_serial_request, expected.size()), expected);
}

// The answer arrives while no read is pending, so the reactor sees an event with no operation
// to complete. That path reads Asio's per-thread state, which the plugin shares with the
// program only if the program exports it (ENABLE_EXPORTS); otherwise this crashes.
TEST_F(TcpTransportTest, DataArrivingWhileNoReadIsPendingIsSafe) {
    PtyMeter meter(dir / "meter");
    Ser2net ser2net(dir, meter.link(), false);
    auto transport = plugin.make(make_context(io, "socket://127.0.0.1:" + std::to_string(ser2net.port())));
    run(io, transport->open(), 10s);
    for (int round = 0; round < 20; ++round) {
        const auto answered = meter.requests_answered();
        run(io, transport->write(get_serial_request), 10s);
        ASSERT_TRUE(wait_until([&] { return meter.requests_answered() > answered; }, 5s));
        boost::asio::steady_timer idle(io);  // let the event loop see the answer with no read pending
        idle.expires_after(20ms);
        run(io, idle.async_wait(boost::asio::use_awaitable), 5s);
        Bytes got;
        std::uint8_t buffer[16];
        while (got.size() < 6) {
            const auto n = run<std::size_t>(io, transport->read_some(buffer), 5s, [&] { transport->cancel(); });
            got.insert(got.end(), buffer, buffer + n);
        }
        EXPECT_EQ(got, answer_to(get_serial_request));
    }
}

TEST_F(TcpTransportTest, RefusedConnectionNamesTheServer) {
    const auto port = free_port();
    auto transport = plugin.make(make_context(io, "socket://127.0.0.1:" + std::to_string(port)));
    const auto error = failure_of(io, transport->open(), 10s);
    ASSERT_TRUE(error);
    EXPECT_EQ(error->code(), std::errc::connection_refused);
    const std::string what = error->what();
    EXPECT_NE(what.find("127.0.0.1:" + std::to_string(port)), std::string::npos) << what;
    EXPECT_NE(what.find("ser2net"), std::string::npos) << what;
}

TEST_F(TcpTransportTest, BadUrlIsRefusedAtCreation) {
    EXPECT_THROW((void)plugin.make(make_context(io, "socket://127.0.0.1")), std::system_error);
}

TEST_F(TcpTransportTest, Ser2netRestartIsReportedAndReopenWorks) {
    PtyMeter meter(dir / "meter");
    Ser2net ser2net(dir, meter.link(), false);
    auto transport = plugin.make(make_context(io, "socket://127.0.0.1:" + std::to_string(ser2net.port())));
    run(io, transport->open(), 10s);
    EXPECT_EQ(exchange(io, *transport, get_serial_request, 6), answer_to(get_serial_request));

    boost::asio::steady_timer kill(io);
    kill.expires_after(200ms);
    std::chrono::steady_clock::time_point killed_at;
    kill.async_wait([&](const boost::system::error_code&) {
        killed_at = std::chrono::steady_clock::now();
        ser2net.stop();
    });
    std::uint8_t buffer[16];
    const auto error = failure_of(io, transport->read_some(buffer), 10s, [&] { transport->cancel(); });
    ASSERT_TRUE(error) << "a dead server must end the read";
    EXPECT_NE(error->code(), std::errc::operation_canceled) << error->what();
    const auto noticed_at = std::chrono::steady_clock::now();
    EXPECT_FALSE(transport->is_open());

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
    const auto recovered_at = std::chrono::steady_clock::now();
    std::printf(
        "[ tcp ] failure noticed %lld ms after ser2net stopped; link back %lld ms after that (restart "
        "included)\n",
        static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(noticed_at - killed_at).count()),
        static_cast<long long>(
            std::chrono::duration_cast<std::chrono::milliseconds>(recovered_at - noticed_at).count()));
}

}  // namespace
}  // namespace kamgw::test
