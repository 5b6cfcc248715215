// How an MQTT sink reaches its broker: the keys every kamgw MQTT sink accepts in the same
// spelling (url, login, TLS, QoS, keep-alive, how long a write waits for PUBACKs), parsed once.
#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "kamgw/config.hpp"

namespace kamgw::mqtt {

struct BrokerAddress {
    std::string host;
    std::uint16_t port = 1883;
    bool tls = false;
};

// Parses "mqtt://host[:port]" or "mqtts://host[:port]"; throws ConfigError with the reason.
BrokerAddress parse_broker_url(const std::string& url);

struct ConnectionOptions {
    BrokerAddress broker;
    std::string url;  // as configured, for log lines
    std::string username;
    std::string password;
    std::string client_id;
    std::chrono::seconds keepalive{60};
    int qos = 1;
    std::string ca_file, cert_file, key_file;
    bool tls_verify = true;
    std::chrono::milliseconds publish_timeout{10000};
};

// The connection keys, followed by the sink's own: one table for the plugin descriptor.
std::vector<ConfigKey> with_connection_keys(std::span<const ConfigKey> sink_keys);

// Reads the connection keys; `default_client_id` applies when client_id is not set. Keys the
// host did not default are defaulted again, so a bare table works too. Throws ConfigError.
ConnectionOptions connection_from_config(const ConfigTable& table, const std::string& default_client_id);

// Text made safe for one MQTT topic level: '/', '+', '#' and control characters become '_'.
std::string topic_safe(std::string_view text);
// A string made of [a-zA-Z0-9_-] only (client ids, Home Assistant discovery ids).
std::string id_safe(std::string_view text);

}  // namespace kamgw::mqtt
