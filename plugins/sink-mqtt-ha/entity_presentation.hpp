// How one reading becomes a Home Assistant sensor: device class, state class, unit,
// category, precision. The catalogue's hints go through kamgw::ha_presentation() first, so
// the combination is one Home Assistant accepts; the rules here add what the hints alone
// cannot know (the meter's unit, temperature differences, dates, compat levels).
#pragma once

#include <string>

#include "kamgw/reading.hpp"
#include "plugins/sink-mqtt-ha/options.hpp"

namespace kamgw::mqtt_ha {

enum class StateKind : std::uint8_t {
    number,     // the exact decimal as a JSON number
    timestamp,  // a date register as an ISO 8601 local midnight string
};

struct EntityPresentation {
    std::string device_class;  // "" for none
    std::string state_class;   // "" for none
    std::string unit;          // "" for none
    std::string entity_category;
    std::string icon;
    int display_precision = -1;  // -1: not sent
    bool attributes = false;     // a json_attributes_topic with the info code's bits
    StateKind kind = StateKind::number;
};

EntityPresentation present(const Reading& reading, DiscoveryForm form);

// ha_presentation() for `form`: for every release, a device class the oldest lacks, or a unit a
// release that refuses wrong units lacks, leaves the entity without a class.
HaPresentation ha_presentation_for(const HaHints& hints, Unit unit, DiscoveryForm form);

// Whether a reading is a calendar date (published as a timestamp sensor).
bool is_date_reading(const Reading& reading);

}  // namespace kamgw::mqtt_ha
