// sd_notify(3) for Type=notify units: READY, STATUS, RELOADING, STOPPING and the watchdog.
// Without NOTIFY_SOCKET (a terminal, a container) every call is a no-op.
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace kamgw::app {

class SystemdNotifier {
public:
    SystemdNotifier();
    [[nodiscard]] bool active() const { return active_; }
    void ready(const std::string& status);
    void status(const std::string& status);
    void reloading();
    void stopping();
    void watchdog_ping();
    // Half the unit's WatchdogSec (the recommended ping period), when a watchdog is enabled.
    [[nodiscard]] std::optional<std::chrono::microseconds> watchdog_period() const { return watchdog_period_; }

private:
    void notify(const std::string& message);
    bool active_ = false;
    std::optional<std::chrono::microseconds> watchdog_period_;
};

}  // namespace kamgw::app
