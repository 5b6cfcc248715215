// The mqtt-ha sink's settings, read from its validated [[sink]] table.
#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <string>

#include "kamgw/config.hpp"
#include "kamgw/home_assistant.hpp"
#include "plugins/common/mqtt/connection_options.hpp"
#include "plugins/common/mqtt/message.hpp"

namespace kamgw::mqtt_ha {

// Which Home Assistant generation the discovery payloads are written for. Older releases
// reject keys and enum values that newer ones need (home-assistant.md §1.3-1.4).
enum class HaCompat : std::uint8_t {
    minimal,   // before 2023: no origin, no serial_number, no display precision, object_id
    modern,    // 2023.9 and later: origin, display precision, object_id (serial_number needs 2024.2)
    v2025_10,  // 2025.10 and later: default_entity_id instead of the deprecated object_id
};

// The oldest release each level is written for, whose rules (device classes, units) apply.
constexpr HaRelease release_of(HaCompat compat) {
    switch (compat) {
        case HaCompat::minimal:
            return {2022, 10};
        case HaCompat::modern:
            return {2023, 9};
        case HaCompat::v2025_10:
            return {2025, 10};
    }
    return {};
}

// homeassistant/components/mqtt/schemas.py: the device block is a strict voluptuous schema
// (an unknown key rejects the entity); serial_number joined it in 2024.2.
constexpr bool device_serial_number(HaCompat compat) { return release_of(compat).at_least({2024, 2}); }

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
    HaCompat compat = HaCompat::v2025_10;
    bool gas_companion = false;
    std::string support_url;
};

// The sink's config table for the plugin descriptor (one table drives validation, docs, sample).
std::span<const ConfigKey> config_keys();

// Reads the options; defaults that depend on the gateway id are filled in here. Keys the
// host did not default are defaulted again, so a bare table works too. Throws ConfigError.
Options options_from_config(const ConfigTable& table, const std::string& gateway_id);

}  // namespace kamgw::mqtt_ha
