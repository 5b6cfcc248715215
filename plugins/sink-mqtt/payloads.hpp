// What the plain mqtt sink publishes for one poll, as pure functions (tested without a broker).
#pragma once

#include <string_view>
#include <vector>

#include "kamgw/reading.hpp"
#include "plugins/common/mqtt/message.hpp"
#include "plugins/sink-mqtt/options.hpp"

namespace kamgw::plain_mqtt {

// payload = "value" or "json": one message per register read (a register whose quality is
// "error" has no value to give and is left out); payload = "poll": one message for the poll,
// which also lists the registers that did not come back and why.
std::vector<mqtt::MqttMessage> poll_messages(const Options& options, std::string_view gateway,
                                             const ReadingBatch& batch);

}  // namespace kamgw::plain_mqtt
