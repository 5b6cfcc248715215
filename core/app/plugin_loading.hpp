// Loading plugins before the configuration: the config names the plugin folders, but the
// config's [[sink]] tables and meter URLs can only be validated once the plugins are loaded.
// So the plugin folders are read from the main file first, on their own.
#pragma once

#include <filesystem>
#include <memory>
#include <vector>

#include "core/host/plugin_registry.hpp"

namespace kamgw::app {

// `[gateway] plugin_dirs` of the main config file, or an empty list when it is not set or
// the file does not parse (the full load reports that with its position).
std::vector<std::filesystem::path> peek_plugin_dirs(const std::filesystem::path& config_file);

// Loads plugins from `extra_dirs` (command line), then the config's plugin_dirs, or the
// default folders when neither names any.
std::unique_ptr<host::PluginRegistry> load_plugins(const std::filesystem::path& config_file,
                                                   const std::vector<std::filesystem::path>& extra_dirs);

}  // namespace kamgw::app
