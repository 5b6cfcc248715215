// One MQTT publish, as the pure formatting functions produce it and the client sends it.
#pragma once

#include <string>

namespace kamgw::mqtt_ha {

struct MqttMessage {
    std::string topic;
    std::string payload;  // empty + retain: deletes the retained message (and a discovery entity)
    bool retain = true;

    friend bool operator==(const MqttMessage&, const MqttMessage&) = default;
};

}  // namespace kamgw::mqtt_ha
