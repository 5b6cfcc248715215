// Transport operations with a deadline. Boost 1.74 has no awaitable operators (no `||`), so a
// steady_timer runs beside the operation and calls Transport::cancel() when it fires; the
// aborted operation is then reported as a timeout rather than as an error.
#pragma once

#include <utility>

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <span>

#include "kamgw/transport.hpp"

namespace kamgw::meter {

using SteadyTime = std::chrono::steady_clock::time_point;

// Bytes read, or nullopt when `deadline` passed first. Other failures throw std::system_error.
boost::asio::awaitable<std::optional<std::size_t>> read_some_until(Transport& transport, std::span<std::uint8_t> buffer,
                                                                   SteadyTime deadline);

// True when all bytes were written before `deadline`. Other failures throw std::system_error.
boost::asio::awaitable<bool> write_until(Transport& transport, std::span<const std::uint8_t> bytes,
                                         SteadyTime deadline);

// Waits without touching the transport.
boost::asio::awaitable<void> sleep_for(std::chrono::steady_clock::duration duration);

}  // namespace kamgw::meter
