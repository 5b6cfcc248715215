// The plain mqtt sink's settings, read from its validated [[sink]] table.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "kamgw/config.hpp"
#include "plugins/common/mqtt/connection_options.hpp"
#include "plugins/sink-mqtt/topic_template.hpp"

namespace kamgw::plain_mqtt {

enum class PayloadMode : std::uint8_t {
    value,  // one topic per register, the exact decimal as text: "110.740"
    json,   // one topic per register, the object `kamgw read --json` prints
    poll,   // one topic per meter, one JSON object per poll with every register
};

struct Options : mqtt::ConnectionOptions {
    PayloadMode payload = PayloadMode::value;
    TopicTemplate topic;
    std::string availability_topic;  // expanded: only {gateway} is known for it
    bool retain = true;
};

std::span<const ConfigKey> config_keys();

// Reads the options for a gateway and a sink instance (the default client id names both, so
// two gateways or two mqtt sinks on one broker never take each other's session). Throws
// ConfigError with what is wrong and what is accepted.
Options options_from_config(const ConfigTable& table, const std::string& gateway_id, const std::string& instance);

}  // namespace kamgw::plain_mqtt
