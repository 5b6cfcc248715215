// What `kamgw run` needs beyond a configuration that parses: every meter URL accepted by its
// transport plugin, a usable state folder and sink paths, and files the service user can
// read. `kamgw check` and the daemon run the same checks, so a configuration that check
// accepts starts, and one the daemon would refuse is refused by check first.
#pragma once

#include <filesystem>
#include <vector>

#include "core/app/user_access.hpp"
#include "core/config/config.hpp"
#include "core/config/config_errors.hpp"
#include "core/host/plugin_registry.hpp"

namespace kamgw::app {

// Problems of `cfg` for a daemon running as `who`, in configuration order.
std::vector<config::ConfigIssue> preflight(const config::Config& cfg, const host::PluginRegistry& registry,
                                           const ServiceIdentity& who);

// load_config() followed by preflight(); throws ConfigErrors listing the problems of both.
config::Config load_and_preflight(const std::filesystem::path& config_file, const host::PluginRegistry& registry,
                                  const ServiceIdentity& who);

// One meter URL through its transport plugin's factory (which validates and does no I/O);
// an empty string when it is accepted, otherwise the plugin's reason.
std::string transport_problem(const config::MeterConfig& meter, const host::PluginRegistry& registry);

// The state folder and every path key of every sink, as `who` would use them.
void check_paths(const config::Config& cfg, const host::PluginRegistry& registry, const ServiceIdentity& who,
                 std::vector<config::ConfigIssue>& issues);

}  // namespace kamgw::app
