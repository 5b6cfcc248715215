// Logging: spdlog to stderr (journald adds its own time stamps), and the adapter that
// gives each plugin instance a kamgw::Logger with its name in front of every line.
#pragma once

#include <spdlog/spdlog.h>

#include <memory>
#include <string>
#include <string_view>

#include "kamgw/log.hpp"

namespace kamgw::base {

// Sets up the default logger once. `level` is trace|debug|info|warn|error; returns false
// for anything else. With `journal_style` lines carry "<N>" priority prefixes for journald.
bool init_logging(std::string_view level, bool journal_style);
bool set_log_level(std::string_view level);

// A named child of the default logger, e.g. "meter house" or "sink mqtt-ha".
std::shared_ptr<spdlog::logger> make_logger(const std::string& name);

class PluginLogger final : public Logger {
public:
    explicit PluginLogger(std::shared_ptr<spdlog::logger> logger) : logger_(std::move(logger)) {}
    void log(LogLevel level, std::string_view message) override;
    [[nodiscard]] bool enabled(LogLevel level) const override;

private:
    std::shared_ptr<spdlog::logger> logger_;
};

}  // namespace kamgw::base
