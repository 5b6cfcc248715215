// Checks a discovery config the way Home Assistant would before it is published: a config
// HA refuses silently drops the entity (or, with device discovery, the whole device), so
// the sink validates every message it built and refuses to publish one with problems.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "plugins/sink-mqtt-ha/options.hpp"

namespace kamgw::mqtt_ha {

// Problems with one component's config (a sensor or a button), one sentence each; empty
// when Home Assistant would accept it. `component` is the platform ("sensor", "button").
// Abbreviated keys (dev_cla, unit_of_meas, …) are understood. Checks: required keys, the
// device class / state class / unit table (kamgw::ha_accepts), temperature classes on
// temperature differences, default_entity_id form, entity_category, availability, and the
// device and origin blocks (which Home Assistant validates strictly), against `form`.
std::vector<std::string> validate_discovery_config(const nlohmann::json& config, std::string_view component = "sensor",
                                                   DiscoveryForm form = newest_form());

// A whole discovery message: the topic's form and charset, then the payload (one component,
// or every entry of `components` for a device config). An empty payload (removal) is valid.
std::vector<std::string> validate_discovery_message(std::string_view topic, std::string_view payload,
                                                    std::string_view discovery_prefix,
                                                    DiscoveryForm form = newest_form());

}  // namespace kamgw::mqtt_ha
