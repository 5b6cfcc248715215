// Who may use the pages of metrics_listen. Without [gateway] metrics_token, whoever can reach
// the address (loopback unless configured otherwise); with it, only requests that carry the
// token: as "Authorization: Bearer <token>" (Prometheus, curl, scripts) or as the password of
// basic auth with any user name (a browser asks for it by itself).
#pragma once

#include <string>
#include <string_view>

namespace kamgw::app {

[[nodiscard]] bool request_authorized(std::string_view authorization, std::string_view token);

// True when "host:port" can only be reached from this machine (127.0.0.0/8, ::1, localhost).
[[nodiscard]] bool listen_is_loopback(std::string_view listen);

}  // namespace kamgw::app
