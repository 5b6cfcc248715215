// The transport contract: a transport moves bytes to and from one meter and nothing else.
// Framing, timeouts, retries and reconnects are the core's job.
//
// Transports run on the daemon's io_context: the factory receives its executor, and every
// socket, serial port and timer must be created on it. Operations are C++20 coroutines.
#pragma once

// Boost 1.74's awaitable.hpp uses std::exchange without including <utility>.
#include <utility>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>

#include "kamgw/config.hpp"
#include "kamgw/log.hpp"

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

struct TransportContext {
    boost::asio::any_io_executor executor;
    Endpoint endpoint;
    LineSettings line;
    ConfigTable options;  // the URL query, validated against the plugin's schema
    Logger* log = nullptr;
};

class Transport {
public:
    virtual ~Transport() = default;

    // Connects or opens the device. Throws std::system_error with a cause a user can act on.
    virtual boost::asio::awaitable<void> open() = 0;

    // Reads at least one byte. Throws std::system_error on failure or cancel().
    virtual boost::asio::awaitable<std::size_t> read_some(std::span<std::uint8_t> buffer) = 0;

    // Writes all bytes. Throws std::system_error on failure or cancel().
    virtual boost::asio::awaitable<void> write(std::span<const std::uint8_t> bytes) = 0;

    // Aborts pending operations; they finish with boost::asio::error::operation_aborted.
    // The core calls this when a deadline passes.
    virtual void cancel() = 0;

    // Closes the link; open() may be called again afterwards.
    virtual void close() = 0;

    [[nodiscard]] virtual bool is_open() const = 0;
};

}  // namespace kamgw
