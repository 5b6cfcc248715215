// The ha-websocket plugin's descriptor: Home Assistant's websocket and REST APIs.
#include "kamgw/plugin.hpp"
#include "plugins/sink-ha-websocket/ha_websocket_sink.hpp"
#include "plugins/sink-ha-websocket/options.hpp"

namespace {

std::unique_ptr<kamgw::Sink> make_ha_websocket_sink() {
    return std::make_unique<kamgw::ha_websocket::HaWebsocketSink>();
}

std::string check_ha_websocket_config(const kamgw::ConfigTable& table) {
    (void)kamgw::ha_websocket::options_from_config(table);
    return {};
}

const kamgw::PluginDescriptor descriptor = {
    .name = "ha-websocket",
    .kind = kamgw::PluginKind::sink,
    .version = KAMGW_HA_WEBSOCKET_VERSION,
    .summary =
        "Home Assistant without MQTT: live states over REST, hourly energy statistics with backfill over "
        "the websocket API",
    .config = kamgw::ha_websocket::config_keys(),
    .lane = {.batch_size = 16, .flush_interval = std::chrono::milliseconds(0)},
    .make_sink = &make_ha_websocket_sink,
};

}  // namespace

KAMGW_PLUGIN(descriptor)
KAMGW_SINK_CONFIG_CHECK(check_ha_websocket_config)
