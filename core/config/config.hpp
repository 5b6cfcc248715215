// The daemon's configuration, typed and validated. Loaded from /etc/kamgw/kamgw.toml plus
// the drop-ins in /etc/kamgw/conf.d/*.toml by load_config() (config_loader.hpp).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "kamgw/config.hpp"
#include "kamgw/reading.hpp"
#include "kamgw/endpoint.hpp"

namespace kamgw::config {

// Where a value came from, for error messages: "file:line:column".
struct SourcePosition {
    std::string file;
    std::uint32_t line = 0;
    std::uint32_t column = 0;
    [[nodiscard]] std::string to_string() const {
        return file + ":" + std::to_string(line) + ":" + std::to_string(column);
    }
};

struct GatewayConfig {
    std::string id;                                  // defaults to the host name
    std::string log_level = "info";                  // trace|debug|info|warn|error
    std::vector<std::filesystem::path> plugin_dirs;  // empty: the built-in default
    std::filesystem::path state_dir = "/var/lib/kamgw";
    std::string metrics_listen;                         // "127.0.0.1:9780" or empty for none
    bool metrics_readings = false;                      // the latest readings on /metrics too
    std::string metrics_token;                          // required by metrics_listen when set
    bool status_read_now = false;                       // "read now" on the status page
    std::chrono::milliseconds chart_resolution{60000};  // one chart point per this much time
    SourcePosition status_read_now_position;
    std::chrono::milliseconds shutdown_timeout{5000};        // how long lanes may drain on SIGTERM
    std::chrono::milliseconds read_now_min_interval{60000};  // battery guard for on-demand reads
    // The reading journal in <state_dir>/journal (core/bus/README.md).
    std::uint64_t journal_max_bytes = 256ull * 1024 * 1024;
    std::chrono::milliseconds journal_max_age{std::chrono::hours(24 * 30)};
    bool journal_sync_interval_policy = false;  // journal_sync = "interval"
    std::chrono::milliseconds journal_sync_interval{1000};
    std::uint64_t journal_memory_max_bytes = 16ull * 1024 * 1024;
    // /health calls a sink failing when readings wait for it, or it fails, for longer than this.
    std::chrono::milliseconds health_sink_max_delay{std::chrono::minutes(5)};
    SourcePosition state_dir_position;  // where state_dir was set; empty: the default
};

// A register to read and how often (per-register cadence; zero means the meter's interval).
struct RegisterSchedule {
    RegisterInfo info;  // resolved from a key or a number
    std::chrono::milliseconds every{0};
};

struct MeterConfig {
    std::string name;
    std::string url;
    Endpoint endpoint;              // the url taken apart
    ConfigTable transport_options;  // the url's query, validated against the transport plugin's schema
    LineSettings line;              // baud, parity, data_bits, stop_bits
    std::chrono::milliseconds interval{std::chrono::hours(1)};
    bool align = false;                                 // read at the top of each interval (wall clock)
    std::chrono::milliseconds timeout{2000};            // first byte of an answer
    std::chrono::milliseconds inter_byte_timeout{300};  // gap allowed inside an answer
    std::uint8_t address = 0x3F;
    std::string model;                        // overrides the model name derived from GetType
    std::vector<RegisterSchedule> registers;  // the catalogue defaults when not configured
    std::vector<std::string> chart;           // register keys the status page charts besides power and flow
    std::string line_group;       // meters sharing a line are jittered apart; default: the url's host:port or path
    SourcePosition position;      // where the [[meter]] table starts
    SourcePosition url_position;  // where its url is
};

struct SinkConfig {
    std::string type;     // the plugin name, e.g. "csv"
    std::string name;     // instance name, defaults to type (+ ".N" when repeated)
    ConfigTable options;  // the plugin's own keys, validated against its schema
    // Lane settings (core keys every sink accepts).
    std::uint32_t batch_size = 0;                             // 0: the plugin's default
    std::optional<std::chrono::milliseconds> flush_interval;  // unset: the plugin's default
    std::uint32_t queue_max_batches = 0;                      // 0: bounded by the journal only
    std::uint64_t queue_max_bytes = 0;
    std::chrono::milliseconds retry_initial{1000};
    std::chrono::milliseconds retry_max{300000};
    std::uint32_t retry_limit = 0;  // 0: retry for ever
    SourcePosition position;
    std::map<std::string, SourcePosition, std::less<>> key_positions;  // where each key of the table is
};

struct Config {
    std::vector<std::filesystem::path> files;         // main file first, then drop-ins in order
    std::vector<std::filesystem::path> secret_files;  // every `<key>_file` read for a secret
    GatewayConfig gateway;
    std::vector<MeterConfig> meters;
    std::vector<SinkConfig> sinks;
};

}  // namespace kamgw::config
