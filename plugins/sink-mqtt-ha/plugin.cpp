// The mqtt-ha plugin's descriptor: Home Assistant over MQTT discovery.
#include "kamgw/plugin.hpp"
#include "plugins/sink-mqtt-ha/mqtt_ha_sink.hpp"
#include "plugins/sink-mqtt-ha/options.hpp"

namespace {

std::unique_ptr<kamgw::Sink> make_mqtt_ha_sink() { return std::make_unique<kamgw::mqtt_ha::MqttHaSink>(); }

// What start() parses; the gateway id only shapes topics, which are checked on their own.
std::string check_mqtt_ha_config(const kamgw::ConfigTable& table) {
    (void)kamgw::mqtt_ha::options_from_config(table, "kamgw");
    return {};
}

const kamgw::PluginDescriptor descriptor = {
    .name = "mqtt-ha",
    .kind = kamgw::PluginKind::sink,
    .version = KAMGW_MQTT_HA_VERSION,
    .summary = "Home Assistant over MQTT: discovery, JSON states, per-meter availability, a Read now button",
    .config = kamgw::mqtt_ha::config_keys(),
    .lane = {.batch_size = 16, .flush_interval = std::chrono::milliseconds(0)},
    .make_sink = &make_mqtt_ha_sink,
};

}  // namespace

KAMGW_PLUGIN(descriptor)
KAMGW_SINK_CONFIG_CHECK(check_mqtt_ha_config)
