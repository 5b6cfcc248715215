// The host and port of a network meter URL ("socket://10.0.0.5:20019", "tcp://[::1]:4001",
// "rfc2217://ser2net.local:2001"), checked so a typo is reported before any connect.
#pragma once

#include <string>
#include <string_view>

#include "kamgw/transport.hpp"

namespace kamgw::transport {

struct HostPort {
    std::string host;                             // without IPv6 brackets
    std::string port;                             // decimal, 1..65535
    [[nodiscard]] std::string to_string() const;  // "host:port", brackets around IPv6 literals
};

// Takes host and port from the endpoint the core parsed; when those are empty (an endpoint
// built from a bare URL) it parses endpoint.url itself. Throws std::system_error
// (std::errc::invalid_argument) naming the URL and the form that would be accepted.
HostPort host_port_of(const Endpoint& endpoint);

// Parses "scheme://host:port[/][?query]" into an Endpoint (scheme, host, port, query).
// Used when a transport is handed only a URL, and by tests.
Endpoint parse_network_url(std::string_view url);

}  // namespace kamgw::transport
