#include "plugins/transport-serial/serial_line.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <system_error>

#include "plugins/transport-serial/device_path.hpp"

namespace kamgw::serial {
namespace {

// What a freshly opened tty typically looks like: cooked mode, echo, 9600 8N1, XON/XOFF.
termios cooked_tty() {
    termios t{};
    t.c_iflag = ICRNL | IXON | IXANY | BRKINT;
    t.c_oflag = OPOST | ONLCR;
    t.c_cflag = CS8 | CREAD | HUPCL | CRTSCTS;
    t.c_lflag = ICANON | ECHO | ECHOE | ISIG | IEXTEN;
    t.c_cc[VMIN] = 0;
    t.c_cc[VTIME] = 5;
    cfsetispeed(&t, B9600);
    cfsetospeed(&t, B9600);
    return t;
}

TEST(SerialLine, Kmp1200_8N2) {
    const termios t = make_line_termios(cooked_tty(), LineSettings{1200, 8, 'N', 2});
    EXPECT_EQ(cfgetospeed(&t), B1200);
    EXPECT_EQ(cfgetispeed(&t), B1200);
    EXPECT_EQ(t.c_cflag & CSIZE, static_cast<tcflag_t>(CS8));
    EXPECT_TRUE(t.c_cflag & CSTOPB);
    EXPECT_FALSE(t.c_cflag & PARENB);
    EXPECT_FALSE(t.c_iflag & INPCK);
    EXPECT_TRUE(t.c_cflag & CLOCAL);
    EXPECT_TRUE(t.c_cflag & CREAD);
    EXPECT_FALSE(t.c_cflag & CRTSCTS) << "no hardware flow control: IR heads have no RTS/CTS";
}

TEST(SerialLine, RawModeClearsEchoCanonicalAndTranslation) {
    const termios t = make_line_termios(cooked_tty(), LineSettings{});
    EXPECT_EQ(t.c_lflag & (ECHO | ECHOE | ICANON | ISIG | IEXTEN), 0u);
    EXPECT_EQ(t.c_iflag & (ICRNL | IXON | IXANY | BRKINT | ISTRIP | INLCR | IGNCR), 0u)
        << "0x0D ends every KMP frame and must not become 0x0A; 0x11/0x13 are data, not XON/XOFF";
    EXPECT_EQ(t.c_oflag & OPOST, 0u);
    EXPECT_EQ(t.c_cc[VMIN], 1);
    EXPECT_EQ(t.c_cc[VTIME], 0);
}

TEST(SerialLine, Baud2400_7E1) {
    const termios t = make_line_termios(cooked_tty(), LineSettings{2400, 7, 'E', 1});
    EXPECT_EQ(cfgetospeed(&t), B2400);
    EXPECT_EQ(t.c_cflag & CSIZE, static_cast<tcflag_t>(CS7));
    EXPECT_FALSE(t.c_cflag & CSTOPB);
    EXPECT_TRUE(t.c_cflag & PARENB);
    EXPECT_FALSE(t.c_cflag & PARODD);
    EXPECT_TRUE(t.c_iflag & INPCK);
}

TEST(SerialLine, Baud9600_8O1) {
    const termios t = make_line_termios(cooked_tty(), LineSettings{9600, 8, 'O', 1});
    EXPECT_EQ(cfgetospeed(&t), B9600);
    EXPECT_TRUE(t.c_cflag & PARENB);
    EXPECT_TRUE(t.c_cflag & PARODD);
    EXPECT_FALSE(t.c_cflag & CSTOPB);
}

TEST(SerialLine, SwitchingBackClearsEarlierParityAndStopBits) {
    const termios odd = make_line_termios(cooked_tty(), LineSettings{2400, 7, 'O', 2});
    const termios t = make_line_termios(odd, LineSettings{1200, 8, 'N', 1});
    EXPECT_FALSE(t.c_cflag & (PARENB | PARODD | CSTOPB));
    EXPECT_FALSE(t.c_iflag & INPCK);
    EXPECT_EQ(t.c_cflag & CSIZE, static_cast<tcflag_t>(CS8));
}

TEST(SerialLine, RejectsWhatTermiosCannotExpress) {
    EXPECT_THROW(make_line_termios(cooked_tty(), LineSettings{1234, 8, 'N', 2}), std::system_error);
    EXPECT_THROW(make_line_termios(cooked_tty(), LineSettings{1200, 9, 'N', 2}), std::system_error);
    EXPECT_THROW(make_line_termios(cooked_tty(), LineSettings{1200, 8, 'X', 2}), std::system_error);
    EXPECT_THROW(make_line_termios(cooked_tty(), LineSettings{1200, 8, 'N', 3}), std::system_error);
    try {
        (void)make_line_termios(cooked_tty(), LineSettings{1234, 8, 'N', 2});
    } catch (const std::system_error& e) {
        EXPECT_EQ(e.code(), std::errc::invalid_argument);
        EXPECT_NE(std::string(e.what()).find("1234"), std::string::npos);
    }
}

TEST(SerialLine, SpeedTableRoundTrips) {
    for (unsigned baud : {300u, 600u, 1200u, 2400u, 4800u, 9600u, 19200u, 115200u}) {
        const auto s = speed_constant(baud);
        ASSERT_TRUE(s) << baud;
        EXPECT_EQ(baud_of(*s), baud);
    }
    EXPECT_FALSE(speed_constant(1201));
    EXPECT_EQ(baud_of(static_cast<speed_t>(0777777)), 0u);
}

TEST(SerialLine, AppliedComparesOnlySpeedAndStopBits) {
    const termios wanted = make_line_termios(cooked_tty(), LineSettings{2400, 7, 'E', 2});
    termios pty_view = wanted;  // a pty forces CS8 and clears parity
    pty_view.c_cflag = (pty_view.c_cflag & ~static_cast<tcflag_t>(CSIZE | PARENB)) | CS8;
    EXPECT_TRUE(line_applied(wanted, pty_view));
    termios wrong_stop = wanted;
    wrong_stop.c_cflag &= ~static_cast<tcflag_t>(CSTOPB);
    EXPECT_FALSE(line_applied(wanted, wrong_stop));
    termios wrong_speed = wanted;
    cfsetospeed(&wrong_speed, B1200);
    EXPECT_FALSE(line_applied(wanted, wrong_speed));
}

TEST(SerialLine, Describe) {
    EXPECT_EQ(describe(LineSettings{}), "1200 8N2");
    EXPECT_EQ(describe(LineSettings{2400, 7, 'E', 1}), "2400 7E1");
}

TEST(DevicePath, PlainPathsAndSerialScheme) {
    Endpoint by_id;
    by_id.url = "/dev/serial/by-id/usb-FTDI_FT230X_Basic_UART_D307PBVY-if00-port0";
    EXPECT_EQ(device_path(by_id), by_id.url);

    Endpoint parsed;  // as the core hands it over
    parsed.url = "/dev/ttyUSB0";
    parsed.scheme = "serial";
    parsed.path = "/dev/ttyUSB0";
    EXPECT_EQ(device_path(parsed), "/dev/ttyUSB0");

    Endpoint with_scheme;
    with_scheme.url = "serial:///dev/ttyUSB1?exclusive=false";
    EXPECT_EQ(device_path(with_scheme), "/dev/ttyUSB1");
}

TEST(DevicePath, RelativeOrEmptyIsAnError) {
    Endpoint relative;
    relative.url = "serial://ttyUSB0";
    EXPECT_THROW((void)device_path(relative), std::system_error);
    Endpoint empty;
    try {
        (void)device_path(empty);
        FAIL() << "no exception";
    } catch (const std::system_error& e) {
        EXPECT_NE(std::string(e.what()).find("/dev/serial/by-id/"), std::string::npos);
    }
}

}  // namespace
}  // namespace kamgw::serial
