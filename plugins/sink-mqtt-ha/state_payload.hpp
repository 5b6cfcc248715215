// A meter's state topic payload and its info-code attributes, as pure functions.
//
// Values are spliced into the JSON text from Decimal::to_string(): a JSON library would
// carry them through a double and publish 1917.5700000000002 for the meter's 1917.57.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "kamgw/reading.hpp"
#include "plugins/common/mqtt/message.hpp"
#include "plugins/sink-mqtt-ha/options.hpp"

namespace kamgw::mqtt_ha {

// {"<key>":<value>,…,"read_at":"<UTC time>"} on <base>/<serial>/state. Readings with
// quality error, and registers that were asked for but did not come back (other than
// "not supported"), are null so Home Assistant shows "unknown" rather than a stale number.
// Date registers are ISO 8601 strings at local midnight.
MqttMessage meter_state(const Options& options, const ReadingBatch& batch);

// The info code's decoded bits on each bit-field register's attributes topic.
std::vector<MqttMessage> meter_attributes(const Options& options, const ReadingBatch& batch);

// "online" / "offline" on <base>/<serial>/availability.
MqttMessage meter_availability(const Options& options, const std::string& serial, bool online);

// Midnight of `date` in the local time zone (TZ), e.g. "2023-01-23T00:00:00+01:00".
std::string local_midnight_iso(std::chrono::year_month_day date);

}  // namespace kamgw::mqtt_ha
