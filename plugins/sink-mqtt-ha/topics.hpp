// Every topic the mqtt-ha sink uses, in one place, so the formatting functions, the sink
// and the tests agree on them.
#pragma once

#include <string>
#include <string_view>

#include "plugins/sink-mqtt-ha/options.hpp"

namespace kamgw::mqtt_ha {

// The gateway's LWT: "online" while connected, "offline" (retained will) otherwise.
inline std::string gateway_status_topic(const Options& o) { return o.base_topic + "/status"; }
inline std::string gateway_state_topic(const Options& o) { return o.base_topic + "/gateway"; }
inline std::string meter_state_topic(const Options& o, std::string_view serial) {
    return o.base_topic + "/" + std::string(serial) + "/state";
}
inline std::string meter_availability_topic(const Options& o, std::string_view serial) {
    return o.base_topic + "/" + std::string(serial) + "/availability";
}
inline std::string meter_attributes_topic(const Options& o, std::string_view serial, std::string_view key) {
    return o.base_topic + "/" + std::string(serial) + "/" + std::string(key) + "/attributes";
}
inline std::string read_now_command_topic(const Options& o, std::string_view serial) {
    return o.base_topic + "/" + std::string(serial) + "/read_now/set";
}
// Subscription that matches every meter's read-now command topic.
inline std::string read_now_subscription(const Options& o) { return o.base_topic + "/+/read_now/set"; }

// The Home Assistant device id of a meter or of the gateway: kamgw_<serial>, kamgw_<gateway id>.
inline std::string device_node_id(std::string_view serial_or_gateway) { return "kamgw_" + id_safe(serial_or_gateway); }

}  // namespace kamgw::mqtt_ha
