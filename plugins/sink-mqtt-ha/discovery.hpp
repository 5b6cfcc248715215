// Home Assistant MQTT discovery messages, as pure functions of the options and a reading
// batch: no broker, no clock, no state, so golden-file tests can pin them down.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "kamgw/reading.hpp"
#include "plugins/common/mqtt/message.hpp"
#include "plugins/sink-mqtt-ha/options.hpp"

namespace kamgw::mqtt_ha {

struct GatewayInfo {
    std::string id;       // [gateway] id
    std::string version;  // kamgw's version
};

// What the configuration says about a meter beyond what its batch carries.
struct MeterContext {
    std::chrono::seconds interval{3600};       // poll interval: expire_after is 2.5 times this
    std::vector<std::string> configured_keys;  // registers the user listed; empty: all enabled
};

// Discovery for one meter: its sensors (one per reading, plus the gas companion), and its
// "Read now" button. Per-entity mode gives one retained message per entity; device mode
// one message for the whole meter. A batch without a serial gives nothing: Home Assistant
// ids are built from the serial, so a meter that was never identified cannot be announced.
std::vector<MqttMessage> meter_discovery(const Options& options, const GatewayInfo& gateway, const ReadingBatch& batch,
                                         const MeterContext& meter);

// Discovery for the gateway device that every meter points at with via_device.
std::vector<MqttMessage> gateway_discovery(const Options& options, const GatewayInfo& gateway);

// The gateway device's state: {"version":"…"}.
MqttMessage gateway_state(const Options& options, const GatewayInfo& gateway);

// A discovery topic's deletion: an empty retained payload removes the entity in Home
// Assistant and the retained config on the broker.
MqttMessage discovery_removal(const std::string& topic);

// Seconds after which Home Assistant shows a meter's values as unavailable: 2.5 polls.
std::int64_t expire_after_seconds(std::chrono::seconds interval);

}  // namespace kamgw::mqtt_ha
