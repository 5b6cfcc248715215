// The discovery forms the tests write for: the named ha_compat levels and the newest rules.
#pragma once

#include "plugins/sink-mqtt-ha/options.hpp"

namespace kamgw::mqtt_ha::test {

inline constexpr DiscoveryForm minimal = form_for(oldest_supported_ha);
inline constexpr DiscoveryForm modern = form_for({2023, 9});
inline constexpr DiscoveryForm v2025_10 = form_for({2025, 10});

}  // namespace kamgw::mqtt_ha::test
