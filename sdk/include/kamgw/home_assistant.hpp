// Home Assistant's rules for sensors: which units each device class accepts, which state
// classes go with it, and how a meter unit is spelt for Home Assistant.
//
// Home Assistant refuses a whole MQTT entity whose unit does not fit its device class, and
// the energy dashboard flags REST states that break the same rules. Every Home Assistant
// sink asks `ha_presentation()` and so can never publish a combination Home Assistant refuses.
#pragma once

#include <algorithm>
#include <array>
#include <initializer_list>
#include <optional>
#include <string_view>

#include "kamgw/register_info.hpp"
#include "kamgw/units.hpp"

namespace kamgw {

constexpr std::string_view ha_device_class_name(HaDeviceClass c) {
    switch (c) {
        case HaDeviceClass::energy:
            return "energy";
        case HaDeviceClass::volume:
            return "volume";
        case HaDeviceClass::water:
            return "water";
        case HaDeviceClass::gas:
            return "gas";
        case HaDeviceClass::volume_flow_rate:
            return "volume_flow_rate";
        case HaDeviceClass::power:
            return "power";
        case HaDeviceClass::temperature:
            return "temperature";
        case HaDeviceClass::duration:
            return "duration";
        case HaDeviceClass::pressure:
            return "pressure";
        case HaDeviceClass::timestamp:
            return "timestamp";
        case HaDeviceClass::none:
            break;
    }
    return "";
}

constexpr std::string_view ha_state_class_name(HaStateClass c) {
    switch (c) {
        case HaStateClass::measurement:
            return "measurement";
        case HaStateClass::total:
            return "total";
        case HaStateClass::total_increasing:
            return "total_increasing";
        case HaStateClass::none:
            break;
    }
    return "";
}

constexpr std::string_view ha_entity_category_name(HaEntityCategory c) {
    switch (c) {
        case HaEntityCategory::diagnostic:
            return "diagnostic";
        case HaEntityCategory::config:
            return "config";
        case HaEntityCategory::none:
            break;
    }
    return "";
}

// The reverse of ha_device_class_name(): nullopt for a name kamgw does not know (which
// includes "", i.e. no device class). Used by validators that read back a built payload.
constexpr std::optional<HaDeviceClass> ha_device_class_from_name(std::string_view name) {
    for (auto c : {HaDeviceClass::energy, HaDeviceClass::volume, HaDeviceClass::water, HaDeviceClass::gas,
                   HaDeviceClass::volume_flow_rate, HaDeviceClass::power, HaDeviceClass::temperature,
                   HaDeviceClass::duration, HaDeviceClass::pressure, HaDeviceClass::timestamp}) {
        if (ha_device_class_name(c) == name) return c;
    }
    return std::nullopt;
}

// The reverse of ha_state_class_name(); nullopt for an unknown name or "".
constexpr std::optional<HaStateClass> ha_state_class_from_name(std::string_view name) {
    for (auto c : {HaStateClass::measurement, HaStateClass::total, HaStateClass::total_increasing}) {
        if (ha_state_class_name(c) == name) return c;
    }
    return std::nullopt;
}

// A meter unit spelt the way Home Assistant's unit enums spell it, or nullopt when Home
// Assistant has no such unit (then the entity gets no device class, only the meter's symbol).
constexpr std::optional<std::string_view> ha_unit(Unit u) {
    switch (u) {
        case Unit::Wh:
            return "Wh";
        case Unit::kWh:
            return "kWh";
        case Unit::MWh:
            return "MWh";
        case Unit::GWh:
            return "GWh";
        case Unit::J:
            return "J";
        case Unit::kJ:
            return "kJ";
        case Unit::MJ:
            return "MJ";
        case Unit::GJ:
            return "GJ";
        case Unit::cal:
            return "cal";
        case Unit::kcal:
            return "kcal";
        case Unit::Mcal:
            return "Mcal";
        case Unit::Gcal:
            return "Gcal";
        case Unit::kW:
        case Unit::kW_21:
            return "kW";
        case Unit::MW:
            return "MW";
        case Unit::GW:
            return "GW";
        case Unit::celsius:
            return "°C";
        case Unit::kelvin:
            return "K";
        case Unit::litre:
            return "L";
        case Unit::cubic_metre:
            return "m³";
        case Unit::litre_per_hour:
            return "L/h";  // the meter says "l/h"; HA only knows "L/h"
        case Unit::cubic_metre_per_hour:
            return "m³/h";
        case Unit::hour:
            return "h";
        case Unit::minute:
            return "min";
        case Unit::second:
            return "s";
        case Unit::millisecond:
            return "ms";
        case Unit::day:
            return "d";
        case Unit::bar:
            return "bar";
        default:
            return std::nullopt;
    }
}

struct HaDeviceClassRule {
    HaDeviceClass device_class;
    std::array<HaStateClass, 3> state_classes;  // allowed; HaStateClass::none pads the list
    std::array<std::string_view, 14> units;     // allowed; empty views pad the list
};

// Home Assistant's DEVICE_CLASS_UNITS and DEVICE_CLASS_STATE_CLASSES, for the classes kamgw uses.
inline constexpr std::array<HaDeviceClassRule, 9> ha_device_class_rules = {{
    {HaDeviceClass::energy,
     {HaStateClass::total, HaStateClass::total_increasing},
     {"J", "kJ", "MJ", "GJ", "mWh", "Wh", "kWh", "MWh", "GWh", "TWh", "cal", "kcal", "Mcal", "Gcal"}},
    {HaDeviceClass::volume,
     {HaStateClass::total, HaStateClass::total_increasing},
     {"L", "mL", "m³", "ft³", "CCF", "gal", "fl. oz."}},
    {HaDeviceClass::water, {HaStateClass::total, HaStateClass::total_increasing}, {"CCF", "ft³", "m³", "gal", "L"}},
    {HaDeviceClass::gas, {HaStateClass::total, HaStateClass::total_increasing}, {"CCF", "ft³", "m³", "L"}},
    {HaDeviceClass::volume_flow_rate,
     {HaStateClass::measurement},
     {"m³/h", "m³/min", "m³/s", "ft³/min", "L/h", "L/min", "L/s", "gal/h", "gal/min", "gal/d", "mL/s"}},
    {HaDeviceClass::power, {HaStateClass::measurement}, {"mW", "W", "kW", "MW", "GW", "TW"}},
    {HaDeviceClass::temperature, {HaStateClass::measurement}, {"°C", "°F", "K"}},
    {HaDeviceClass::duration,
     {HaStateClass::measurement, HaStateClass::total, HaStateClass::total_increasing},
     {"d", "h", "min", "s", "ms", "μs"}},
    {HaDeviceClass::pressure,
     {HaStateClass::measurement},
     {"Pa", "hPa", "kPa", "bar", "cbar", "mbar", "mmHg", "inHg", "psi"}},
}};

// Whether Home Assistant accepts this device class / state class / unit combination.
// `timestamp` takes no unit and no state class; `none` takes any unit.
constexpr bool ha_accepts(HaDeviceClass dc, HaStateClass sc, std::string_view unit) {
    if (dc == HaDeviceClass::none) return true;
    if (dc == HaDeviceClass::timestamp) return sc == HaStateClass::none && unit.empty();
    for (const auto& rule : ha_device_class_rules) {
        if (rule.device_class != dc) continue;
        const bool unit_ok = std::find(rule.units.begin(), rule.units.end(), unit) != rule.units.end() && !unit.empty();
        const bool state_ok =
            sc == HaStateClass::none ||
            std::find(rule.state_classes.begin(), rule.state_classes.end(), sc) != rule.state_classes.end();
        return unit_ok && state_ok;
    }
    return false;
}

// How one register is presented to Home Assistant.
struct HaPresentation {
    HaDeviceClass device_class = HaDeviceClass::none;
    HaStateClass state_class = HaStateClass::none;
    std::string_view unit;  // empty: no unit_of_measurement
};

// The catalogue's hints checked against the unit the meter actually reported. When the
// meter's unit does not fit the hinted device class (a heat meter configured for a unit HA
// lacks, or a temperature difference in K that HA would convert as an absolute temperature),
// the device class is dropped and the meter's own symbol is kept: the entity still shows,
// it just is not converted or offered to the energy dashboard.
constexpr HaPresentation ha_presentation(const HaHints& hints, Unit unit) {
    HaPresentation p;
    p.state_class = hints.state_class;
    if (hints.device_class == HaDeviceClass::timestamp) {
        p.device_class = HaDeviceClass::timestamp;
        p.state_class = HaStateClass::none;
        return p;
    }
    const auto mapped = ha_unit(unit);
    if (mapped)
        p.unit = *mapped;
    else
        p.unit = unit_symbol(unit);
    if (hints.device_class != HaDeviceClass::none && mapped &&
        ha_accepts(hints.device_class, hints.state_class, *mapped)) {
        p.device_class = hints.device_class;
    }
    return p;
}

// A Home Assistant release ("2022.10.5" is 2022.10). Unknown (not asked, or a development
// build): the newest rules apply.
struct HaRelease {
    int year = 0;
    int month = 0;
    [[nodiscard]] constexpr bool known() const { return year > 0; }
    [[nodiscard]] constexpr bool at_least(HaRelease r) const {
        return !known() || year > r.year || (year == r.year && month >= r.month);
    }
};

constexpr HaRelease ha_release(std::string_view version) {
    // At most `digits` digits from `i` as a number; -1 when there are none or more.
    auto number = [&version](std::size_t& i, std::size_t digits) {
        const std::size_t start = i;
        int value = 0;
        for (; i < version.size() && version[i] >= '0' && version[i] <= '9'; ++i) {
            if (i - start == digits) return -1;
            value = value * 10 + (version[i] - '0');
        }
        return i == start ? -1 : value;
    };
    std::size_t i = 0;
    const int year = number(i, 4);
    if (year < 2000 || i >= version.size() || version[i] != '.') return {};
    ++i;
    const int month = number(i, 2);
    if (month < 1 || month > 12) return {};
    return {year, month};
}

// The first release that has a device class, and a unit within it, in home-assistant/core's
// homeassistant/components/sensor/const.py (SensorDeviceClass, DEVICE_CLASS_UNITS and the
// Unit* enums). Earlier releases refuse the class (an MQTT entity with it is rejected whole)
// or cannot convert the unit, so the energy dashboard would not take it. {} is "long before
// 2022.10", the oldest release kamgw supports.
constexpr HaRelease ha_device_class_since(HaDeviceClass dc) {
    switch (dc) {
        case HaDeviceClass::water:
            return {2022, 11};
        case HaDeviceClass::volume_flow_rate:
            return {2024, 2};
        default:
            return {};
    }
}

constexpr HaRelease ha_unit_since(HaDeviceClass dc, std::string_view unit) {
    switch (dc) {
        case HaDeviceClass::energy:
            if (unit == "GJ") return {2022, 11};
            if (unit == "MJ") return {2023, 2};
            if (unit == "J" || unit == "kJ" || unit == "cal" || unit == "kcal" || unit == "Mcal" || unit == "Gcal")
                return {2024, 10};
            if (unit == "GWh" || unit == "TWh") return {2024, 12};
            if (unit == "mWh") return {2025, 1};
            return {};
        case HaDeviceClass::volume:
        case HaDeviceClass::water:
        case HaDeviceClass::gas:
            return unit == "CCF" ? HaRelease{2023, 1} : HaRelease{};
        case HaDeviceClass::volume_flow_rate:
            if (unit == "L/min" || unit == "gal/min") return {2024, 2};
            if (unit == "mL/s") return {2024, 12};
            if (unit == "m³/s" || unit == "L/h" || unit == "L/s") return {2025, 5};
            if (unit == "m³/min") return {2025, 9};
            if (unit == "gal/h") return {2025, 11};
            if (unit == "gal/d") return {2026, 1};
            return {};
        default:
            return {};
    }
}

// ha_accepts() as the given release sees it.
constexpr bool ha_accepts(HaDeviceClass dc, HaStateClass sc, std::string_view unit, HaRelease release) {
    if (dc == HaDeviceClass::none) return true;
    return release.at_least(ha_device_class_since(dc)) && release.at_least(ha_unit_since(dc, unit)) &&
           ha_accepts(dc, sc, unit);
}

// ha_presentation() for one release: a device class or unit that release lacks leaves the
// entity without a device class, with the meter's unit and the state class kept.
constexpr HaPresentation ha_presentation(const HaHints& hints, Unit unit, HaRelease release) {
    HaPresentation p = ha_presentation(hints, unit);
    if (p.device_class != HaDeviceClass::none && p.device_class != HaDeviceClass::timestamp &&
        !ha_accepts(p.device_class, p.state_class, p.unit, release))
        p.device_class = HaDeviceClass::none;
    return p;
}

}  // namespace kamgw
