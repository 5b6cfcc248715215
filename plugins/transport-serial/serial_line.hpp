// The termios settings for a meter's serial line, built and checked without touching a
// device, so every combination (1200 8N2, 2400 7E1, ...) is covered by unit tests.
#pragma once

#include <termios.h>

#include <optional>
#include <string>

#include "kamgw/transport.hpp"

namespace kamgw::serial {

// The termios speed constant for a baud rate, or nullopt for a rate termios has no constant for.
std::optional<speed_t> speed_constant(unsigned baud);
// The baud rate of a termios speed constant, or 0 if unknown.
unsigned baud_of(speed_t speed);

// "1200 8N2"
std::string describe(const LineSettings& line);

// `current` switched to raw mode (no echo, no canonical processing, no signals, no CR/NL
// translation, no software or hardware flow control), modem lines ignored (CLOCAL), receiver
// on, and the line settings applied. read() returns as soon as one byte is there (VMIN 1,
// VTIME 0); Asio polls the descriptor, the core owns timeouts. Throws std::system_error
// (std::errc::invalid_argument) for a setting termios cannot express.
termios make_line_termios(const termios& current, const LineSettings& line);

// Whether the device took the settings, judged only by what every tty records: the speed
// and the stop bits. A pty forces CS8 and clears parity, so comparing those would fail there.
bool line_applied(const termios& wanted, const termios& actual);

}  // namespace kamgw::serial
