// The plugins' configuration schemas, as the config loader sees them.
//
// The loader validates [[sink]] tables and meter URL queries against the schema of the plugin
// that will serve them, so `kamgw check` catches a misspelt sink key before the daemon runs.
// The plugin host implements this over the plugins it loaded; tests use StaticPluginSchemas
// (static_plugin_schemas.hpp) with descriptors built in place.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "kamgw/plugin.hpp"

namespace kamgw::config {

class PluginSchemas {
public:
    virtual ~PluginSchemas() = default;
    // The sink plugin whose name is `type`, or nullptr if no such sink is loaded.
    [[nodiscard]] virtual const PluginDescriptor* sink(std::string_view type) const = 0;
    // The transport plugin serving `scheme` ("serial", "tcp", …), or nullptr.
    [[nodiscard]] virtual const PluginDescriptor* transport_for_scheme(std::string_view scheme) const = 0;
    // Every loaded sink type and URL scheme, sorted, for "accepted: …" in error messages.
    [[nodiscard]] virtual std::vector<std::string> sink_types() const = 0;
    [[nodiscard]] virtual std::vector<std::string> url_schemes() const = 0;
};

}  // namespace kamgw::config
