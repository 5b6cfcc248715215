// Home Assistant's rule for external statistic ids, checked before anything is sent:
// `<source>:<object>` where both halves are lowercase letters, digits and '_', neither starts
// or ends with '_', there is no "__" after the first character, and the import's `source`
// equals the part before the colon. Home Assistant refuses the whole import otherwise.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace kamgw::ha_websocket {

// The same test as Home Assistant's ^(?!.+__)(?!_)[\da-z_]+(?<!_):(?!_)[\da-z_]+(?<!_)$.
bool valid_statistic_id(std::string_view id);
// One half of a statistic id on its own (no colon).
bool valid_statistic_source(std::string_view source);
// The part before the colon, or nullopt for an invalid id.
std::optional<std::string> statistic_source_of(std::string_view id);
// True when Home Assistant would accept `source` for `id`.
bool statistic_source_matches(std::string_view id, std::string_view source);

// Lowercase, every character outside [a-z0-9] becomes '_', runs of '_' collapse and
// leading/trailing '_' go: "MC 403/A" -> "mc_403_a". Empty input gives "meter".
std::string id_part(std::string_view text);

// "<source>:<serial>_<key>", e.g. "kamstrup:12345678_heat_energy"; nullopt if the result
// would still break the rule (a source that is not valid itself).
std::optional<std::string> make_statistic_id(std::string_view source, std::string_view serial, std::string_view key);

// "sensor.kamgw_<serial>_<key>".
std::string make_entity_id(std::string_view serial, std::string_view key);

}  // namespace kamgw::ha_websocket
