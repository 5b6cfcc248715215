// The mqtt-ha sink's settings, read from its validated [[sink]] table.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "kamgw/config.hpp"
#include "kamgw/home_assistant.hpp"
#include "plugins/common/mqtt/connection_options.hpp"
#include "plugins/common/mqtt/message.hpp"

namespace kamgw::mqtt_ha {

// The oldest Home Assistant release the sink supports.
inline constexpr HaRelease oldest_supported_ha{2022, 10};

// The first release where an MQTT sensor whose unit its device class lacks is refused; before,
// Home Assistant logged a warning and created the entity
// (homeassistant/components/mqtt/sensor.py, the device class/unit check of the sensor schema).
inline constexpr HaRelease mqtt_refuses_wrong_units_since{2025, 7};

// What the discovery payloads are written for (home-assistant.md §1.3-1.4): one known release,
// or, while Home Assistant's release is unknown, the form every supported release accepts.
//
// Unknown top-level keys are dropped by every release's discovery schema (extra=REMOVE_EXTRA),
// so origin, suggested_display_precision and default_entity_id are harmless on older ones; the
// device block is strict (an unknown key refuses the entity) and so is the device class list.
struct DiscoveryForm {
    HaRelease release = oldest_supported_ha;
    bool every_release = true;  // true: release is ignored, the rules above decide
};

constexpr DiscoveryForm form_for(HaRelease release) { return {release, false}; }
constexpr DiscoveryForm every_release_form() { return {}; }
// An unknown release stands for the newest (HaRelease::at_least).
constexpr DiscoveryForm newest_form() { return form_for(HaRelease{}); }

// homeassistant/components/mqtt/schemas.py: serial_number joined the device block in 2024.2.
constexpr bool device_serial_number(DiscoveryForm f) { return !f.every_release && f.release.at_least({2024, 2}); }
// origin (2023.9) and suggested_display_precision: sent to releases that understand them.
constexpr bool origin_and_precision(DiscoveryForm f) { return f.every_release || f.release.at_least({2023, 9}); }
// default_entity_id replaced object_id in 2025.10 (object_id stops working in 2026.4).
constexpr bool default_entity_id(DiscoveryForm f) { return f.every_release || f.release.at_least({2025, 10}); }

// Device-based discovery (one config with `components`) came with 2024.11.
inline constexpr HaRelease device_discovery_since{2024, 11};

// "2024.2", or "the form every release accepts", for log lines and errors.
std::string form_name(DiscoveryForm f);

enum class DiscoveryMode : std::uint8_t {
    entity,  // one retained config per entity: works on every Home Assistant release
    device,  // one retained config per device with `components` (Home Assistant 2024.11+)
};

using mqtt::id_safe;
using mqtt::MqttMessage;
using mqtt::topic_safe;

// The broker connection (shared with the plain mqtt sink), then Home Assistant's part.
struct Options : mqtt::ConnectionOptions {
    bool retain = true;
    std::string discovery_prefix = "homeassistant";
    std::string base_topic;
    std::string status_topic = "homeassistant/status";
    DiscoveryMode discovery = DiscoveryMode::entity;
    // ha_compat: the release given, or none for "auto" (asked at ha_url, else every release).
    std::optional<HaRelease> compat;
    // Where to ask Home Assistant its release (GET <ha_url>/api/config with ha_token).
    std::string ha_url;
    std::string ha_token;
    std::string ha_ca_file;
    // The form the payloads are written in now: set from `compat` here, and by the sink when
    // it learns Home Assistant's release.
    DiscoveryForm form;
    bool gas_companion = false;
    std::string support_url;
};

// The sink's config table for the plugin descriptor (one table drives validation, docs, sample).
std::span<const ConfigKey> config_keys();

// Reads the options; defaults that depend on the gateway id are filled in here. Keys the
// host did not default are defaulted again, so a bare table works too. Throws ConfigError.
Options options_from_config(const ConfigTable& table, const std::string& gateway_id);

}  // namespace kamgw::mqtt_ha
