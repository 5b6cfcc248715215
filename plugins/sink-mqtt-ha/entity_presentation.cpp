#include "plugins/sink-mqtt-ha/entity_presentation.hpp"

#include "kamgw/home_assistant.hpp"

namespace kamgw::mqtt_ha {
namespace {

// Units that are no unit of measure: the value is a code, a clock reading or text. Such a
// sensor gets neither a unit nor a state class (statistics of an info code mean nothing).
bool is_non_measure_unit(Unit u) {
    switch (u) {
        case Unit::none:
        case Unit::number:
        case Unit::bitfield:
        case Unit::ascii:
        case Unit::clock_hhmmss:
        case Unit::date_mmdd:
        case Unit::rtc:
        case Unit::rtc_q:
        case Unit::datetime:
        case Unit::unknown:
            return true;
        default:
            return false;
    }
}

bool is_diagnostic(const Reading& r) {
    // Info code, info counter, serial number, hour counter: about the meter, not the heat.
    return r.quantity == Quantity::bit_field || r.quantity == Quantity::identifier || r.register_id == 99 ||
           r.register_id == 113 || r.register_id == 1001 || r.register_id == 1004 || r.key == "hour_counter";
}

}  // namespace

bool is_date_reading(const Reading& r) {
    return r.unit == Unit::date_yymmdd || r.unit == Unit::date_yyyymmdd || r.quantity == Quantity::date ||
           r.ha.device_class == HaDeviceClass::timestamp;
}

HaPresentation ha_presentation_for(const HaHints& hints, Unit unit, DiscoveryForm form) {
    if (!form.every_release) return ha_presentation(hints, unit, form.release);
    HaPresentation p = ha_presentation(hints, unit);
    const bool classless = p.device_class == HaDeviceClass::none || p.device_class == HaDeviceClass::timestamp;
    if (!classless && (!oldest_supported_ha.at_least(ha_device_class_since(p.device_class)) ||
                       !mqtt_refuses_wrong_units_since.at_least(ha_unit_since(p.device_class, p.unit))))
        p.device_class = HaDeviceClass::none;
    return p;
}

EntityPresentation present(const Reading& r, DiscoveryForm form) {
    EntityPresentation p;
    p.icon = std::string(r.ha.icon);
    p.entity_category = std::string(ha_entity_category_name(r.ha.entity_category));
    if (p.entity_category.empty() && is_diagnostic(r)) p.entity_category = "diagnostic";

    if (is_date_reading(r)) {
        p.kind = StateKind::timestamp;
        p.device_class = "timestamp";
        return p;
    }

    // A class the release does not know rejects the whole entity; one without the meter's unit
    // would not convert it: either way the entity goes without a class.
    HaPresentation hp = ha_presentation_for(r.ha, r.unit, form);
    // A temperature class would make Home Assistant convert a difference like an absolute
    // temperature (10 K shown as -263.15 °C); a difference keeps its unit and no class.
    if (r.quantity == Quantity::temperature_difference && hp.device_class == HaDeviceClass::temperature)
        hp.device_class = HaDeviceClass::none;

    const bool code_like =
        is_non_measure_unit(r.unit) || r.quantity == Quantity::bit_field || r.quantity == Quantity::identifier;
    p.device_class = std::string(ha_device_class_name(hp.device_class));
    p.state_class = code_like ? "" : std::string(ha_state_class_name(hp.state_class));
    p.unit = code_like ? "" : std::string(hp.unit);
    if (r.ha.display_precision >= 0)
        p.display_precision = r.ha.display_precision;
    else if (!code_like)
        p.display_precision = r.value.exponent < 0 ? -r.value.exponent : 0;
    else
        p.display_precision = 0;
    p.attributes = r.quantity == Quantity::bit_field || r.register_id == 99;
    return p;
}

}  // namespace kamgw::mqtt_ha
