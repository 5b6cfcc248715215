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
#include <memory>
#include <span>
#include <string>

#include "kamgw/config.hpp"
#include "kamgw/endpoint.hpp"
#include "kamgw/log.hpp"

namespace kamgw {

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
