#include "plugins/sink-ha-websocket/options.hpp"

#include <charconv>
#include <fstream>

#include "plugins/sink-ha-websocket/statistic_id.hpp"

namespace kamgw::ha_websocket {
namespace {

constexpr ConfigKey keys[] = {
    {"url", ConfigType::string, "", true, "Home Assistant's address: http://host:8123 (https:// uses wss://)"},
    {"token", ConfigType::secret, "", true,
     "long-lived access token of an admin user (Profile -> Security); also token_file"},
    {"token_file", ConfigType::path, "", false,
     "file whose first line is the token; read again whenever Home Assistant refuses the token"},
    {"ca_file", ConfigType::path, "", false, "CA certificate(s) for https://; default: the system store"},
    {"tls_verify", ConfigType::boolean, "true", false, "verify Home Assistant's certificate and host name"},
    {"push_states", ConfigType::boolean, "true", false, "POST live states to /api/states/sensor.kamgw_<serial>_<key>"},
    {"import_statistics", ConfigType::boolean, "true", false,
     "import hourly long-term statistics kamstrup:<serial>_<key> for the energy dashboard"},
    {"fire_events", ConfigType::boolean, "false", false, "fire a kamgw_reading event per reading batch"},
    {"statistic_source", ConfigType::string, "kamstrup", false,
     "source and statistic id prefix ([a-z0-9_], no leading/trailing '_')"},
    {"stats_registers", ConfigType::string_list, "", false,
     "cumulative registers imported as statistics; default heat_energy, cooling_energy, volume, hour_counter"},
    {"backfill_max_days", ConfigType::integer, "30", false,
     "how many days of missed hours are filled after a reconnect", "", 1, 3650},
    {"ping_interval", ConfigType::duration, "30s", false, "websocket ping interval"},
    {"ping_timeout", ConfigType::duration, "10s", false, "reconnect when a pong takes longer than this"},
    {"request_timeout", ConfigType::duration, "30s", false, "how long a command or REST call may take"},
    {"reconnect_min", ConfigType::duration, "1s", false, "first reconnect delay"},
    {"reconnect_max", ConfigType::duration, "60s", false, "longest reconnect delay"},
    {"restart_probe_interval", ConfigType::duration, "2s", false,
     "after a connection is lost (and at start), try again this often, so the link is back within seconds of a "
     "Home Assistant restart"},
    {"restart_probe_for", ConfigType::duration, "10min", false,
     "how long to probe at restart_probe_interval before the backoff of reconnect_min to reconnect_max"},
    {"auth_fail_backoff", ConfigType::duration, "15min", false,
     "wait this long after Home Assistant refused the token before trying again"},
    {"startup_wait", ConfigType::duration, "10min", false, "how long to wait for a starting Home Assistant"},
};

bool bool_or(const ConfigTable& t, std::string_view key, bool fallback) {
    return t.has(key) ? t.get_bool(key) : fallback;
}
void duration_or(const ConfigTable& t, std::string_view key, std::chrono::milliseconds& out) {
    if (t.has(key)) out = t.get_duration(key);
}

}  // namespace

std::span<const ConfigKey> config_keys() { return keys; }

BaseUrl parse_base_url(const std::string& url) {
    BaseUrl b;
    std::string_view rest = url;
    if (rest.starts_with("http://")) {
        rest.remove_prefix(7);
    } else if (rest.starts_with("https://")) {
        rest.remove_prefix(8);
        b.tls = true;
        b.port = 443;
    } else {
        throw ConfigError("url '" + url + "': expected http://host:8123 or https://host");
    }
    const auto slash = rest.find('/');
    std::string_view authority = rest.substr(0, slash);
    if (slash != std::string_view::npos) {
        std::string_view path = rest.substr(slash);
        while (!path.empty() && path.back() == '/') path.remove_suffix(1);
        b.path_prefix = std::string(path);
    }
    if (authority.find('@') != std::string_view::npos)
        throw ConfigError("url '" + url + "': no user in the url; the token has its own key");
    std::string_view host = authority, port;
    if (authority.starts_with('[')) {
        const auto close = authority.find(']');
        if (close == std::string_view::npos) throw ConfigError("url '" + url + "': unclosed '['");
        host = authority.substr(1, close - 1);
        std::string_view after = authority.substr(close + 1);
        if (!after.empty() && after.front() != ':') throw ConfigError("url '" + url + "': junk after ']'");
        if (!after.empty()) port = after.substr(1);
    } else if (const auto colon = authority.rfind(':'); colon != std::string_view::npos) {
        host = authority.substr(0, colon);
        port = authority.substr(colon + 1);
    }
    if (host.empty()) throw ConfigError("url '" + url + "': no host");
    b.host = std::string(host);
    if (!port.empty()) {
        unsigned p = 0;
        const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
        if (ec != std::errc{} || end != port.data() + port.size() || p == 0 || p > 65535)
            throw ConfigError("url '" + url + "': port must be a number from 1 to 65535");
        b.port = static_cast<std::uint16_t>(p);
    }
    return b;
}

std::string read_token_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::string line;
    if (!in || !std::getline(in, line)) return {};
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
}

Options options_from_config(const ConfigTable& t) {
    Options o;
    o.url = t.get_string("url");
    o.base = parse_base_url(o.url);
    o.token = t.get_string_or("token", "");
    o.token_file = t.get_string_or("token_file", "");
    if (o.token.empty() && !o.token_file.empty()) o.token = read_token_file(o.token_file);
    if (o.token.empty()) throw ConfigError("token is empty: set token or token_file");
    o.ca_file = t.get_string_or("ca_file", "");
    o.tls_verify = bool_or(t, "tls_verify", true);
    if (!o.base.tls && !o.ca_file.empty()) throw ConfigError("ca_file needs an https:// url");
    o.push_states = bool_or(t, "push_states", true);
    o.import_statistics = bool_or(t, "import_statistics", true);
    o.fire_events = bool_or(t, "fire_events", false);
    o.statistic_source = t.get_string_or("statistic_source", "kamstrup");
    if (!valid_statistic_source(o.statistic_source))
        throw ConfigError("statistic_source '" + o.statistic_source +
                          "': use lowercase letters, digits and '_', no leading or trailing '_' and no '__'");
    if (t.has("stats_registers")) o.stats_registers = t.get_list("stats_registers");
    if (t.has("backfill_max_days")) o.backfill_max_days = static_cast<int>(t.get_int("backfill_max_days"));
    if (o.backfill_max_days < 1) throw ConfigError("backfill_max_days must be at least 1");
    duration_or(t, "ping_interval", o.ping_interval);
    duration_or(t, "ping_timeout", o.ping_timeout);
    duration_or(t, "request_timeout", o.request_timeout);
    duration_or(t, "reconnect_min", o.reconnect_min);
    duration_or(t, "reconnect_max", o.reconnect_max);
    duration_or(t, "auth_fail_backoff", o.auth_fail_backoff);
    duration_or(t, "startup_wait", o.startup_wait);
    duration_or(t, "restart_probe_interval", o.restart_probe_interval);
    duration_or(t, "restart_probe_for", o.restart_probe_for);
    if (o.ping_interval.count() <= 0 || o.ping_timeout.count() <= 0 || o.request_timeout.count() <= 0)
        throw ConfigError("ping_interval, ping_timeout and request_timeout must be positive");
    if (o.reconnect_min.count() <= 0 || o.reconnect_max < o.reconnect_min)
        throw ConfigError("reconnect_min must be positive and not above reconnect_max");
    if (o.restart_probe_interval.count() < 100) throw ConfigError("restart_probe_interval must be at least 100ms");
    if (o.auth_fail_backoff < o.reconnect_min)
        throw ConfigError("auth_fail_backoff must not be shorter than reconnect_min");
    return o;
}

}  // namespace kamgw::ha_websocket
