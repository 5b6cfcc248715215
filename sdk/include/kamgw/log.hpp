// Logging for plugins. kamgw routes these lines into its own log (journald, console) with
// the plugin instance's name in front, so a plugin never configures logging itself.
#pragma once

#include <cstdint>
#include <string_view>

namespace kamgw {

enum class LogLevel : std::uint8_t { trace, debug, info, warn, error };

class Logger {
public:
    virtual ~Logger() = default;
    virtual void log(LogLevel level, std::string_view message) = 0;
    [[nodiscard]] virtual bool enabled(LogLevel level) const = 0;

    void trace(std::string_view m) { log(LogLevel::trace, m); }
    void debug(std::string_view m) { log(LogLevel::debug, m); }
    void info(std::string_view m) { log(LogLevel::info, m); }
    void warn(std::string_view m) { log(LogLevel::warn, m); }
    void error(std::string_view m) { log(LogLevel::error, m); }
};

}  // namespace kamgw
