#pragma once

#include <chrono>
#include <cstdint>

namespace kamgw::test {

// A TCP port on 127.0.0.1 that was free a moment ago.
std::uint16_t free_port();
// True once something accepts TCP connections on 127.0.0.1:port.
bool wait_for_port(std::uint16_t port, std::chrono::milliseconds timeout);

}  // namespace kamgw::test
