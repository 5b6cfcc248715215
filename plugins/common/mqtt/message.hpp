// One MQTT publish, as a sink's pure formatting functions produce it and the client sends it.
#pragma once

#include <string>

namespace kamgw::mqtt {

struct MqttMessage {
    std::string topic;
    std::string payload;  // empty + retain: deletes the retained message
    bool retain = true;

    friend bool operator==(const MqttMessage&, const MqttMessage&) = default;
};

}  // namespace kamgw::mqtt
