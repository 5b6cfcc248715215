// What the ha-websocket sink reports about its link to Home Assistant: one health state
// with a sentence saying why, and counters. The same words go to the log.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "plugins/sink-ha-websocket/ha_messages.hpp"

namespace kamgw::ha_websocket {

enum class LinkHealth : std::uint8_t {
    starting,           // start() ran, no connection attempt yet
    connecting,         // connecting or authenticating
    waiting_for_start,  // connected; Home Assistant is still starting
    ok,                 // connected, everything configured works
    degraded,           // connected, but a feature is off (no recorder, old HA, not an admin)
    auth_failed,        // the token was refused; retrying slowly
    unreachable,        // Home Assistant down, restarting or not answering pings; reconnecting
    stopped,
};

constexpr std::string_view link_health_name(LinkHealth h) {
    switch (h) {
        case LinkHealth::starting:
            return "starting";
        case LinkHealth::connecting:
            return "connecting";
        case LinkHealth::waiting_for_start:
            return "waiting_for_start";
        case LinkHealth::ok:
            return "ok";
        case LinkHealth::degraded:
            return "degraded";
        case LinkHealth::auth_failed:
            return "auth_failed";
        case LinkHealth::unreachable:
            return "unreachable";
        case LinkHealth::stopped:
            return "stopped";
    }
    return "starting";
}

struct SinkStatus {
    LinkHealth health = LinkHealth::starting;
    std::string detail;      // one sentence: why, and what to do
    std::string ha_version;  // from auth_required/auth_ok
    bool connected = false;
    bool states_enabled = false;
    bool statistics_enabled = false;
    bool is_admin = true;
    MetadataSchema metadata_schema = MetadataSchema::mean_type;
    std::uint64_t connects = 0;  // websocket sessions that reached auth_ok
    std::uint64_t connect_attempts = 0;
    std::uint64_t auth_failures = 0;
    std::uint64_t states_posted = 0;  // REST 200/201
    std::uint64_t import_calls = 0;   // successful recorder/import_statistics calls
    std::uint64_t rows_imported = 0;
    std::uint64_t rebases = 0;
    std::uint64_t events_fired = 0;
    std::uint64_t events_dropped = 0;
    std::uint64_t pongs_missed = 0;
};

}  // namespace kamgw::ha_websocket
