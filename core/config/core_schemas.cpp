#include "core/config/core_schemas.hpp"

#include <array>
#include <string_view>

namespace kamgw::config {
namespace {

using T = ConfigType;

constexpr std::array gateway_keys = {
    ConfigKey{"id", T::string, "", false, "name of this gateway in MQTT topics and logs; defaults to the host name"},
    ConfigKey{"log_level", T::choice, "info", false, "least severe log level written", "trace|debug|info|warn|error"},
    ConfigKey{"plugin_dirs", T::string_list, "", false, "folders searched for plugins; empty: the built-in folder"},
    ConfigKey{"state_dir", T::path, "/var/lib/kamgw", false, "where the reading journal and the sinks' state live"},
    ConfigKey{"metrics_listen", T::string, "", false, "host:port of the metrics and health endpoint; empty: off"},
    ConfigKey{"metrics_readings", T::boolean, "false", false,
              "also expose each meter's latest readings on /metrics, in base units, for Prometheus"},
    ConfigKey{"metrics_token", T::secret, "", false,
              "required by every page of metrics_listen when set: sent as \"Authorization: Bearer <token>\" or "
              "as the password of basic auth (any user name)"},
    ConfigKey{"status_read_now", T::boolean, "false", false,
              "the status page offers \"read now\" for each meter (rate limited by read_now_min_interval); needs "
              "metrics_token"},
    ConfigKey{"chart_resolution", T::duration, "1min", false,
              "the status page's charts keep one point per this much time over 24 h (8 bytes a point)", "", 1000,
              3'600'000},
    ConfigKey{"shutdown_timeout", T::duration, "5s", false, "how long sinks may drain on shutdown", "", 0, 3'600'000},
    ConfigKey{"read_now_min_interval", T::duration, "1min", false,
              "least time between two on-demand reads of one meter (battery guard)", "", 0, 604'800'000},
    ConfigKey{"journal_max_bytes", T::integer, "268435456", false,
              "disk space of the reading journal; beyond it the oldest readings go, even undelivered", "", 1'048'576,
              1'099'511'627'776},
    ConfigKey{"journal_max_age", T::duration, "30d", false,
              "readings older than this leave the journal, even undelivered", "", 60'000, 31'536'000'000},
    ConfigKey{"journal_sync", T::choice, "batch", false,
              "batch: every poll is synced to disk before it counts as done; interval: at most every "
              "journal_sync_interval (fewer flash writes; a power cut may lose that much)",
              "batch|interval"},
    ConfigKey{"journal_sync_interval", T::duration, "1s", false, "with journal_sync = \"interval\": the longest wait",
              "", 10, 3'600'000},
    ConfigKey{"health_sink_max_delay", T::duration, "5min", false,
              "/health reports a sink as failing when readings wait for it, or it fails, for longer than this", "",
              1000, 604'800'000},
    ConfigKey{"journal_memory_max_bytes", T::integer, "16777216", false,
              "readings kept in memory: the recent ones, and all while the disk cannot be written", "", 65'536,
              4'294'967'296},
};

constexpr std::array meter_keys = {
    ConfigKey{"name", T::string, "", true, "unique meter name ([A-Za-z0-9_-]+), used in topics and logs"},
    ConfigKey{"url", T::string, "", true,
              "where the meter is: /dev/serial/by-id/…, socket://host:port, tcp://…, rfc2217://…, sim://model"},
    ConfigKey{"interval", T::duration, "1h", false, "time between two reads; every read costs battery", "", 1000,
              604'800'000},
    ConfigKey{"align", T::boolean, "false", false, "read at whole multiples of the interval on the wall clock"},
    ConfigKey{"timeout", T::duration, "2s", false, "wait this long for the first byte of an answer", "", 10, 600'000},
    ConfigKey{"inter_byte_timeout", T::duration, "300ms", false, "gap allowed between bytes of one answer", "", 1,
              60'000},
    ConfigKey{"address", T::integer, "63", false, "KMP destination address (63 = 0x3F for heat meters)", "", 0, 255},
    ConfigKey{"model", T::string, "", false, "model name to show instead of the one the meter reports"},
    ConfigKey{"baud", T::integer, "1200", false, "serial speed", "", 300, 115200},
    ConfigKey{"parity", T::choice, "none", false, "serial parity", "none|even|odd"},
    ConfigKey{"data_bits", T::integer, "8", false, "serial data bits", "", 7, 8},
    ConfigKey{"stop_bits", T::integer, "2", false, "serial stop bits (KMP uses 2)", "", 1, 2},
    ConfigKey{"line_group", T::string, "", false,
              "meters in one group are never read at once; default: the url's host:port or device"},
};

constexpr std::array sink_keys = {
    ConfigKey{"type", T::string, "", true, "the sink plugin, e.g. \"mqtt-ha\", \"influxdb\", \"csv\""},
    ConfigKey{"name", T::string, "", false, "instance name in logs and state; default: the type"},
    ConfigKey{"batch_size", T::integer, "", false, "reading batches per write; default: the plugin's", "", 1, 100'000},
    ConfigKey{"flush_interval", T::duration, "", false, "wait this long to fill a batch; default: the plugin's", "", 0,
              3'600'000},
    ConfigKey{"queue_max_batches", T::integer, "0", false,
              "most undelivered batches kept for this sink, older ones are skipped for it; 0: the journal's bounds", "",
              0, 100'000'000},
    ConfigKey{"queue_max_bytes", T::integer, "0", false,
              "most undelivered journal bytes kept for this sink, older ones are skipped for it; 0: the journal's "
              "bounds",
              "", 0, 17'179'869'184},
    ConfigKey{"retry_initial", T::duration, "1s", false, "first wait after a failed write", "", 10, 3'600'000},
    ConfigKey{"retry_max", T::duration, "5min", false, "longest wait between retries", "", 10, 86'400'000},
    ConfigKey{"retry_limit", T::integer, "0", false,
              "failed attempts after which a batch goes to the dead-letter file; 0: retry for ever", "", 0, 1'000'000},
};

constexpr std::array<std::string_view, 3> meter_extras = {"registers", "register_intervals", "chart"};

}  // namespace

std::span<const ConfigKey> gateway_schema() { return gateway_keys; }
std::span<const ConfigKey> meter_schema() { return meter_keys; }
std::span<const ConfigKey> sink_core_schema() { return sink_keys; }
std::span<const std::string_view> meter_extra_keys() { return meter_extras; }

}  // namespace kamgw::config
