// Where a meter is and how its line is set: the parts of the transport contract that need no
// Asio, so code that only reads or checks URLs (the configuration, the telnet codec) can be
// compiled and fuzzed without coroutine support.
#pragma once

#include <map>
#include <string>

namespace kamgw {

// The serial line settings a meter needs (KMP: 1200 baud, 8 data bits, no parity, 2 stop bits).
struct LineSettings {
    unsigned baud = 1200;
    unsigned data_bits = 8;
    char parity = 'N';  // 'N', 'E' or 'O'
    unsigned stop_bits = 2;
};

// A meter URL taken apart: "rfc2217://host:2001?opt=1" -> scheme "rfc2217", host, port, query.
// A plain path such as "/dev/ttyUSB0" has scheme "serial" and the path in `path`.
struct Endpoint {
    std::string url;
    std::string scheme;
    std::string host;
    std::string port;
    std::string path;
    std::map<std::string, std::string> query;
};

}  // namespace kamgw
