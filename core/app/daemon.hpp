// The daemon: meters polled on one io_context, readings handed to the sinks through the bus.
//
// Lifetime order matters and is encoded in the member order: the plugin registry is built
// first and destroyed last, because every sink and transport runs code from a plugin library.
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/bus/reading_bus.hpp"
#include "core/config/config.hpp"
#include "core/host/plugin_registry.hpp"
#include "core/meter/meter_runner.hpp"

namespace kamgw::app {

struct DaemonOptions {
    std::filesystem::path config_file;
    std::vector<std::filesystem::path> extra_plugin_dirs;
    std::string log_level;  // overrides [gateway] log_level when set
};

class Daemon {
public:
    explicit Daemon(DaemonOptions options);
    ~Daemon();
    // Loads plugins and configuration, runs until SIGTERM/SIGINT, drains the sinks, and
    // returns an exit code (0 after a clean stop, 78 for a bad configuration).
    int run();

private:
    struct Runtime;
    bool build_runtime(Runtime& rt, const config::Config& cfg);
    void reload(Runtime& rt);

    DaemonOptions options_;
    std::unique_ptr<host::PluginRegistry> registry_;
};

}  // namespace kamgw::app
