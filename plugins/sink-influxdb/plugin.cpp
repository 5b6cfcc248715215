// The plugin's entry points: the descriptor kamgw loads, nothing else.
#include "kamgw/plugin.hpp"
#include "plugins/sink-influxdb/influxdb_sink.hpp"
#include "plugins/sink-influxdb/settings.hpp"

namespace {

std::string check_influxdb_config(const kamgw::ConfigTable& table) {
    (void)kamgw::influxdb::parse_settings(table);
    return {};
}

const kamgw::PluginDescriptor descriptor = {
    .name = "influxdb",
    .kind = kamgw::PluginKind::sink,
    .version = "0.1.0",
    .summary = "InfluxDB line protocol over HTTP (1.x /write, 2.x /api/v2/write) or into a file",
    .config = kamgw::influxdb::config_keys,
    // 700 polls of the default 7 registers make about 4900 points per request: InfluxDB's
    // recommended batch of 5000 lines, so a day's backlog drains in a few requests.
    .lane = {.batch_size = 700, .flush_interval = std::chrono::seconds(10)},
    .make_sink = &kamgw::influxdb::make_influxdb_sink,
};

}  // namespace

KAMGW_PLUGIN(descriptor)
KAMGW_SINK_CONFIG_CHECK(check_influxdb_config)
