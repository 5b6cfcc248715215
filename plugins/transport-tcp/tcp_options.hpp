// The URL query options shared by the tcp and rfc2217 transports
// ("socket://host:4001?connect_timeout=5s&keepalive=false").
#pragma once

#include <array>
#include <chrono>

#include "kamgw/config.hpp"
#include "plugins/transport-tcp/tcp_link.hpp"

namespace kamgw::transport {

inline constexpr std::array<ConfigKey, 2> tcp_option_keys = {{
    {.key = "connect_timeout",
     .type = ConfigType::duration,
     .default_value = "10s",
     .doc = "give up connecting after this long (0 waits as long as the system does)"},
    {.key = "keepalive",
     .type = ConfigType::boolean,
     .default_value = "true",
     .doc = "TCP keepalive: notice a dead server or network within 25 s"},
}};

struct TcpOptions {
    std::chrono::milliseconds connect_timeout{10'000};
    KeepaliveSettings keepalive;
};

// Defaults apply for keys the table lacks, so a transport built without the core's
// validation (tests, tools) behaves like a configured one.
inline TcpOptions tcp_options_from(const ConfigTable& table) {
    TcpOptions o;
    if (table.has("connect_timeout")) o.connect_timeout = table.get_duration("connect_timeout");
    if (table.has("keepalive")) o.keepalive.enabled = table.get_bool("keepalive");
    return o;
}

}  // namespace kamgw::transport
