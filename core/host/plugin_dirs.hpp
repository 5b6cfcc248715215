// Where kamgw looks for plugins when the configuration names no plugin folder.
#pragma once

#include <filesystem>
#include <vector>

namespace kamgw::host {

// A kamgw started from a build tree (<build>/bin/kamgw next to <build>/CMakeCache.txt) uses
// <build>/plugins, so a fresh build runs without installing anything; an installed kamgw uses
// the package's plugin folder (kamgw::base::installed_plugin_dir).
std::vector<std::filesystem::path> default_plugin_dirs();

// The same decision for a given executable path (what default_plugin_dirs() reads from
// /proc/self/exe); separate so it can be tested.
std::vector<std::filesystem::path> default_plugin_dirs_for(const std::filesystem::path& executable);

}  // namespace kamgw::host
