// The ha-websocket sink's settings, read from its validated [[sink]] table.
#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "kamgw/config.hpp"

namespace kamgw::ha_websocket {

// Where Home Assistant listens: http://host:8123 gives ws://, https:// gives wss://.
struct BaseUrl {
    std::string host;
    std::uint16_t port = 8123;
    bool tls = false;
    std::string path_prefix;  // "" or e.g. "/ha" behind a reverse proxy (no trailing '/')
};

struct Options {
    std::string url;
    BaseUrl base;
    std::string token;       // as the core resolved it (from `token` or the first line of `token_file`)
    std::string token_file;  // kept so the token can be read again after Home Assistant refuses it
    std::string ca_file;
    bool tls_verify = true;
    bool push_states = true;
    bool import_statistics = true;
    bool fire_events = false;
    std::string statistic_source = "kamstrup";
    std::vector<std::string> stats_registers{"heat_energy", "cooling_energy", "volume", "hour_counter"};
    int backfill_max_days = 30;
    std::chrono::milliseconds ping_interval{30'000};
    std::chrono::milliseconds ping_timeout{10'000};
    std::chrono::milliseconds request_timeout{30'000};
    std::chrono::milliseconds reconnect_min{1'000};
    std::chrono::milliseconds reconnect_max{60'000};
    // A lost connection is most often Home Assistant restarting (at every update): probed at a
    // short fixed interval for a while, then the backoff. A refused token never probes.
    std::chrono::milliseconds restart_probe_interval{2'000};
    std::chrono::milliseconds restart_probe_for{10 * 60'000};
    std::chrono::milliseconds auth_fail_backoff{15 * 60'000};
    std::chrono::milliseconds startup_wait{10 * 60'000};  // how long to wait for homeassistant_started
};

std::span<const ConfigKey> config_keys();

// Throws ConfigError with a sentence that names the key.
BaseUrl parse_base_url(const std::string& url);
Options options_from_config(const ConfigTable& table);

// The first line of a token file, without a trailing CR; empty when it cannot be read.
std::string read_token_file(const std::string& path);

}  // namespace kamgw::ha_websocket
