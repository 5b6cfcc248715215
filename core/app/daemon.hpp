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
    bool once = false;      // poll every meter once, let the sinks drain, exit (run_once.hpp)
};

class Daemon {
public:
    explicit Daemon(DaemonOptions options);
    ~Daemon();
    // Loads plugins and configuration, runs until SIGTERM/SIGINT (or, with `once`, for one poll
    // of every meter), drains the sinks, and returns an exit code (exit_codes.hpp).
    int run();

private:
    struct Runtime;
    bool build_runtime(Runtime& rt, const config::Config& cfg);
    void reload(Runtime& rt);
    // The status page, /metrics and /health on [gateway] metrics_listen.
    void start_http(Runtime& rt);
    int run_once(Runtime& rt, bus::DrainReport& report);
    // Drains the sinks for at most `drain_timeout` and closes the journal.
    bus::DrainReport drain(Runtime& rt, std::chrono::milliseconds drain_timeout);
    // Lets go of sinks, transports and then plugins, and returns `code`.
    int release(std::unique_ptr<Runtime> rt, const bus::DrainReport& report, int code);

    DaemonOptions options_;
    std::unique_ptr<host::PluginRegistry> registry_;
};

}  // namespace kamgw::app
