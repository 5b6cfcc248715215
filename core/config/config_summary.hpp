// What `kamgw check` prints once a configuration loaded: what would run, one block per
// gateway, meter and sink. Secrets show as "(secret)" and URLs lose their user:password@.
#pragma once

#include <string>

#include "core/config/config.hpp"
#include "core/config/plugin_schemas.hpp"

namespace kamgw::config {

std::string summarize_config(const Config& config, const PluginSchemas& plugins);

// One configuration value as it would be written in TOML: strings quoted (URLs without their
// user:password@), durations as "1h30min", lists in brackets. Not for secrets.
std::string format_config_value(const ConfigValue& value);

}  // namespace kamgw::config
