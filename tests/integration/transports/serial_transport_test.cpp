// transport-serial, loaded as a plugin, against a pty that stands in for a USB IR head.
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "tests/fixtures/pty/pty_meter.hpp"
#include "tests/integration/transports/transport_harness.hpp"

namespace kamgw::test {
namespace {

class SerialTransportTest : public testing::Test {
protected:
    TransportPlugin plugin{"serial"};
    TempDir dir;
    boost::asio::io_context io;
};

TEST_F(SerialTransportTest, DescriptorServesTheSerialScheme) {
    const auto& d = plugin.descriptor();
    EXPECT_EQ(d.kind, PluginKind::transport);
    EXPECT_EQ(d.name, "serial");
    ASSERT_EQ(d.url_schemes.size(), 1u);
    EXPECT_EQ(d.url_schemes[0], "serial");
}

TEST_F(SerialTransportTest, OpensAt1200_8N2AndMovesBytes) {
    PtyMeter meter(dir / "meter");
    auto transport = plugin.make(make_context(io, meter.link().string()));
    run(io, transport->open(), 10s);
    EXPECT_TRUE(transport->is_open());
    EXPECT_EQ(to_string(meter.line()), "1200/2");
    EXPECT_EQ(exchange(io, *transport, get_serial_request, 6), answer_to(get_serial_request));
    EXPECT_EQ(meter.received(), get_serial_request);
    transport->close();
    EXPECT_FALSE(transport->is_open());
}

TEST_F(SerialTransportTest, AppliesTheMetersLineSettings) {
    PtyMeter meter(dir / "meter");
    // Parity and data bits cannot be observed on a pty; baud and stop bits can.
    auto transport = plugin.make(make_context(io, "serial://" + meter.link().string(), LineSettings{2400, 7, 'E', 1}));
    run(io, transport->open(), 10s);
    EXPECT_EQ(to_string(meter.line()), "2400/1");
    EXPECT_EQ(exchange(io, *transport, get_serial_request, 6), answer_to(get_serial_request));
}

TEST_F(SerialTransportTest, EchoingHeadDeliversEchoThenAnswer) {
    PtyMeter meter(dir / "meter");
    meter.set_echo(true);
    auto transport = plugin.make(make_context(io, meter.link().string()));
    run(io, transport->open(), 10s);
    Bytes expected = get_serial_request;
    const Bytes answer = answer_to(get_serial_request);
    expected.insert(expected.end(), answer.begin(), answer.end());
    EXPECT_EQ(exchange(io, *transport, get_serial_request, expected.size()), expected);
}

TEST_F(SerialTransportTest, SecondOpenerIsRefusedWithThePid) {
    PtyMeter meter(dir / "meter");
    auto first = plugin.make(make_context(io, meter.link().string()));
    auto second = plugin.make(make_context(io, meter.link().string()));
    run(io, first->open(), 10s);
    const auto error = failure_of(io, second->open(), 10s);
    ASSERT_TRUE(error);
    EXPECT_EQ(error->code().value(), EBUSY);
    const std::string what = error->what();
    EXPECT_NE(what.find("is in use by another process (pid " + std::to_string(::getpid())), std::string::npos) << what;
    EXPECT_NE(what.find("only one program may own a meter's port"), std::string::npos) << what;
    EXPECT_FALSE(second->is_open());

    first->close();
    run(io, second->open(), 10s);
    EXPECT_EQ(exchange(io, *second, get_serial_request, 6), answer_to(get_serial_request));
}

TEST_F(SerialTransportTest, MissingDeviceIsAnActionableError) {
    auto transport = plugin.make(make_context(io, (dir / "no-such-head").string()));
    const auto error = failure_of(io, transport->open(), 10s);
    ASSERT_TRUE(error);
    EXPECT_EQ(error->code().value(), ENOENT);
    EXPECT_NE(std::string(error->what()).find("is the IR head plugged in?"), std::string::npos) << error->what();
}

TEST_F(SerialTransportTest, NotASerialPortIsRefused) {
    const auto file = dir.write("plain-file", "");
    auto transport = plugin.make(make_context(io, file.string()));
    const auto error = failure_of(io, transport->open(), 10s);
    ASSERT_TRUE(error);
    EXPECT_NE(std::string(error->what()).find("is not a serial port"), std::string::npos) << error->what();
}

TEST_F(SerialTransportTest, UnpluggedHeadFailsThePendingReadAndReopensWhenBack) {
    auto meter = std::make_unique<PtyMeter>(dir / "meter");
    auto transport = plugin.make(make_context(io, meter->link().string()));
    run(io, transport->open(), 10s);

    boost::asio::steady_timer unplug(io);
    unplug.expires_after(200ms);
    unplug.async_wait([&](const boost::system::error_code&) { meter->unplug(); });
    std::uint8_t buffer[16];
    const auto error = failure_of(io, transport->read_some(buffer), 10s, [&] { transport->cancel(); });
    ASSERT_TRUE(error) << "the read must fail, not wait forever";
    EXPECT_NE(error->code(), std::errc::operation_canceled) << error->what();
    const std::string what = error->what();
    EXPECT_TRUE(what.find("disappeared") != std::string::npos || what.find("stopped working") != std::string::npos)
        << what;
    EXPECT_FALSE(transport->is_open()) << "a dead port is closed so the session reopens it";

    const auto while_gone = failure_of(io, transport->open(), 10s);
    ASSERT_TRUE(while_gone);
    EXPECT_EQ(while_gone->code().value(), ENOENT);

    meter = std::make_unique<PtyMeter>(dir / "meter");  // plugged in again
    run(io, transport->open(), 10s);
    EXPECT_EQ(exchange(io, *transport, get_serial_request, 6), answer_to(get_serial_request));
}

TEST_F(SerialTransportTest, CancelAbortsAPendingRead) {
    PtyMeter meter(dir / "meter");
    meter.set_answering(false);
    auto transport = plugin.make(make_context(io, meter.link().string()));
    run(io, transport->open(), 10s);
    boost::asio::steady_timer deadline(io);
    deadline.expires_after(100ms);
    deadline.async_wait([&](const boost::system::error_code&) { transport->cancel(); });
    std::uint8_t buffer[16];
    const auto error = failure_of(io, transport->read_some(buffer), 10s, [&] { transport->cancel(); });
    ASSERT_TRUE(error);
    EXPECT_EQ(error->code(), std::errc::operation_canceled) << error->what();
    EXPECT_TRUE(transport->is_open()) << "a timeout is not a broken port";
}

TEST_F(SerialTransportTest, RejectsImpossibleLineSettingsAtCreation) {
    EXPECT_THROW((void)plugin.make(make_context(io, "/dev/ttyUSB9", LineSettings{1234, 8, 'N', 2})), std::system_error);
}

}  // namespace
}  // namespace kamgw::test
