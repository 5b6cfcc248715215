#include "plugins/transport-serial/serial_line.hpp"

#include <array>
#include <system_error>
#include <utility>

namespace kamgw::serial {
namespace {

constexpr std::array<std::pair<unsigned, speed_t>, 18> speeds = {{
    {50, B50},
    {75, B75},
    {110, B110},
    {150, B150},
    {300, B300},
    {600, B600},
    {1200, B1200},
    {1800, B1800},
    {2400, B2400},
    {4800, B4800},
    {9600, B9600},
    {19200, B19200},
    {38400, B38400},
    {57600, B57600},
    {115200, B115200},
    {230400, B230400},
    {460800, B460800},
    {921600, B921600},
}};

[[noreturn]] void invalid(const std::string& what) {
    throw std::system_error(std::make_error_code(std::errc::invalid_argument), what);
}

}  // namespace

std::optional<speed_t> speed_constant(unsigned baud) {
    for (const auto& [rate, constant] : speeds) {
        if (rate == baud) return constant;
    }
    return std::nullopt;
}

unsigned baud_of(speed_t speed) {
    for (const auto& [rate, constant] : speeds) {
        if (constant == speed) return rate;
    }
    return 0;
}

std::string describe(const LineSettings& line) {
    return std::to_string(line.baud) + " " + std::to_string(line.data_bits) + line.parity +
           std::to_string(line.stop_bits);
}

termios make_line_termios(const termios& current, const LineSettings& line) {
    const auto speed = speed_constant(line.baud);
    if (!speed) invalid("baud rate " + std::to_string(line.baud) + " is not a standard serial speed (Kamstrup: 1200)");
    tcflag_t size = 0;
    switch (line.data_bits) {
        case 5:
            size = CS5;
            break;
        case 6:
            size = CS6;
            break;
        case 7:
            size = CS7;
            break;
        case 8:
            size = CS8;
            break;
        default:
            invalid("data bits must be 5 to 8, not " + std::to_string(line.data_bits));
    }
    if (line.stop_bits != 1 && line.stop_bits != 2) {
        invalid("stop bits must be 1 or 2, not " + std::to_string(line.stop_bits));
    }
    if (line.parity != 'N' && line.parity != 'E' && line.parity != 'O') {
        invalid(std::string("parity must be N, E or O, not '") + line.parity + "'");
    }

    termios t = current;
    t.c_iflag &= ~static_cast<tcflag_t>(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON | IXOFF |
                                        IXANY | INPCK | IGNPAR);
    t.c_oflag &= ~static_cast<tcflag_t>(OPOST);
    t.c_lflag &= ~static_cast<tcflag_t>(ECHO | ECHOE | ECHOK | ECHONL | ICANON | ISIG | IEXTEN);
    t.c_cflag &= ~static_cast<tcflag_t>(CSIZE | PARENB | PARODD | CSTOPB | CRTSCTS);
    t.c_cflag |= size | CLOCAL | CREAD;
    if (line.stop_bits == 2) t.c_cflag |= CSTOPB;
    if (line.parity != 'N') {
        t.c_cflag |= PARENB;
        if (line.parity == 'O') t.c_cflag |= PARODD;
        t.c_iflag |= INPCK;  // drop bytes with parity errors instead of passing them on
    }
    t.c_cc[VMIN] = 1;
    t.c_cc[VTIME] = 0;
    cfsetispeed(&t, *speed);
    cfsetospeed(&t, *speed);
    return t;
}

bool line_applied(const termios& wanted, const termios& actual) {
    return cfgetospeed(&actual) == cfgetospeed(&wanted) && cfgetispeed(&actual) == cfgetispeed(&wanted) &&
           (actual.c_cflag & CSTOPB) == (wanted.c_cflag & CSTOPB);
}

}  // namespace kamgw::serial
