// What kamgw knows about a meter register: its stable key, its name, what it measures and
// how Home Assistant should present it. The core's register catalogue fills this in; a
// register named only by number gets key "r<id>" and no Home Assistant hints.
#pragma once

#include <cstdint>
#include <string_view>

#include "kamgw/units.hpp"

namespace kamgw {

enum class HaDeviceClass : std::uint8_t {
    none,
    energy,
    volume,
    water,
    gas,
    volume_flow_rate,
    power,
    temperature,
    duration,
    pressure,
    timestamp,
};

enum class HaStateClass : std::uint8_t { none, measurement, total, total_increasing };

enum class HaEntityCategory : std::uint8_t { none, diagnostic, config };

struct HaHints {
    HaDeviceClass device_class = HaDeviceClass::none;
    HaStateClass state_class = HaStateClass::none;
    HaEntityCategory entity_category = HaEntityCategory::none;
    std::int8_t display_precision = -1;  // -1: let Home Assistant decide
    std::string_view icon;               // "mdi:radiator", or empty
};

struct RegisterInfo {
    std::uint16_t id = 0;
    std::string_view key;   // stable snake_case: appears in topics, CSV headers, Influx fields
    std::string_view name;  // human name, e.g. "Heat energy (E1)"
    Quantity quantity = Quantity::other;
    bool on_by_default = false;  // read when a meter's config lists no registers
    HaHints ha;
};

}  // namespace kamgw
