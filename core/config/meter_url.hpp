// Meter URLs: "/dev/ttyUSB0", "socket://host:port", "tcp://…", "rfc2217://…", "sim://model",
// each optionally followed by "?key=value&…" options for the transport plugin.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "kamgw/endpoint.hpp"

namespace kamgw::config {

// The URL taken apart, or nullopt with the reason in *why. A URL starting with '/' is a
// serial device path (scheme "serial"); "serial:///dev/x" means the same. Query values are
// percent-decoded. The scheme is lower-cased.
std::optional<Endpoint> parse_endpoint(std::string_view url, std::string* why = nullptr);

// The URL without "user:password@", for logs and error messages. Text that is no URL is
// returned unchanged.
std::string redact_url(std::string_view url);

// "host:port" for network endpoints, the device path for serial ones, "scheme://host" otherwise:
// meters sharing this share a line (one request at a time).
std::string default_line_group(const Endpoint& endpoint);

}  // namespace kamgw::config
