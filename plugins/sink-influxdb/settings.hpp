// The influxdb sink's configuration keys and their typed, checked form.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>

#include "kamgw/config.hpp"
#include "plugins/sink-influxdb/line_protocol.hpp"

namespace kamgw::influxdb {

enum class Api : std::uint8_t { v1, v2 };
enum class Mode : std::uint8_t { http, file };

// The [[sink]] keys of type = "influxdb". `api = "auto"` means v2 when any of org, bucket or
// token is set, v1 otherwise. `mode = "auto"` means file when `path` is set or `url` starts
// with file://, http otherwise.
inline constexpr std::array<ConfigKey, 19> config_keys = {{
    {"url", ConfigType::string, "http://localhost:8086", false,
     "InfluxDB base URL (http:// or https://, may end in a path prefix), or file:///path for line protocol in a file"},
    {"mode", ConfigType::choice, "auto", false, "http: POST to url; file: append to path; auto: file when path is set",
     "auto|http|file"},
    {"path", ConfigType::path, "", false, "file mode: append line protocol here; \"-\" is standard output"},
    {"api", ConfigType::choice, "auto", false,
     "v1 (/write) or v2 (/api/v2/write); auto: v2 when org/bucket/token is set", "auto|v1|v2"},
    {"database", ConfigType::string, "kamstrup", false, "v1: the database to write to"},
    {"retention_policy", ConfigType::string, "", false, "v1: the retention policy (empty: the database's default)"},
    {"username", ConfigType::string, "", false, "v1: user name when authentication is enabled"},
    {"password", ConfigType::secret, "", false, "v1: password (or password_file)"},
    {"org", ConfigType::string, "", false, "v2: organisation name"},
    {"bucket", ConfigType::string, "", false, "v2: bucket name"},
    {"token", ConfigType::secret, "", false, "v2: API token with write access to the bucket (or token_file)"},
    {"precision", ConfigType::choice, "s", false, "timestamp precision of the written points", "ns|us|ms|s"},
    {"measurement", ConfigType::string, "kamstrup", false, "measurement name"},
    {"layout", ConfigType::choice, "narrow", false,
     "narrow: one point per reading (field value, tag key); wide: one point per poll, one field per register",
     "narrow|wide"},
    {"gzip", ConfigType::boolean, "false", false, "compress request bodies with gzip"},
    {"timeout", ConfigType::duration, "10s", false, "connect, send and answer timeout of one request"},
    {"ca_file", ConfigType::path, "", false, "https: CA certificates (PEM) to trust instead of the system's"},
    {"tls_verify", ConfigType::boolean, "true", false, "https: verify the server certificate"},
    {"max_lines_per_request", ConfigType::integer, "5000", false,
     "split a write into requests of at most this many lines", "", 1, 1000000},
}};

struct Settings {
    Mode mode = Mode::http;
    std::filesystem::path path;  // file mode; "-" is stdout
    // http mode
    std::string base_url;     // scheme://host[:port], what cpp-httplib connects to
    std::string path_prefix;  // "" or "/prefix" (a reverse proxy in front of InfluxDB)
    bool https = false;
    Api api = Api::v1;
    std::string database, retention_policy, username, password;
    std::string org, bucket, token;
    bool gzip = false;
    std::chrono::milliseconds timeout{10000};
    std::string ca_file;
    bool tls_verify = true;
    std::size_t max_lines_per_request = 5000;
    FormatOptions format;
};

// Checks the combination of keys (what a schema alone cannot) and throws ConfigError with a
// sentence naming the key to fix.
Settings parse_settings(const ConfigTable& table);

// "/write?db=…&precision=s" or "/api/v2/write?org=…&bucket=…&precision=s", with the prefix.
std::string write_target(const Settings& s);

// The URL with the path to write to, for log lines (never with credentials).
std::string describe_target(const Settings& s);

}  // namespace kamgw::influxdb
