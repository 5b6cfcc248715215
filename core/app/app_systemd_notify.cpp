#include <systemd/sd-daemon.h>

#include <cstdlib>

#include "core/app/systemd_notify.hpp"

namespace kamgw::app {

SystemdNotifier::SystemdNotifier() {
    const char* socket = std::getenv("NOTIFY_SOCKET");
    active_ = socket && *socket;
    std::uint64_t usec = 0;
    if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0) watchdog_period_ = std::chrono::microseconds(usec / 2);
}

void SystemdNotifier::notify(const std::string& message) {
    if (active_) sd_notify(0, message.c_str());
}

void SystemdNotifier::ready(const std::string& status) { notify("READY=1\nSTATUS=" + status); }
void SystemdNotifier::status(const std::string& status) { notify("STATUS=" + status); }
void SystemdNotifier::reloading() { notify("RELOADING=1"); }
void SystemdNotifier::stopping() { notify("STOPPING=1"); }
void SystemdNotifier::watchdog_ping() { notify("WATCHDOG=1"); }

}  // namespace kamgw::app
