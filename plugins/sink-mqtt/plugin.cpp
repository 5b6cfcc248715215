// The mqtt plugin's descriptor: readings on plain MQTT topics.
#include "kamgw/plugin.hpp"
#include "plugins/sink-mqtt/mqtt_sink.hpp"
#include "plugins/sink-mqtt/options.hpp"

namespace {

std::unique_ptr<kamgw::Sink> make_mqtt_sink() { return std::make_unique<kamgw::plain_mqtt::MqttSink>(); }

// What start() parses; the gateway id and instance name only fill in defaults.
std::string check_mqtt_config(const kamgw::ConfigTable& table) {
    (void)kamgw::plain_mqtt::options_from_config(table, "kamgw", "mqtt");
    return {};
}

const kamgw::PluginDescriptor descriptor = {
    .name = "mqtt",
    .kind = kamgw::PluginKind::sink,
    .version = KAMGW_MQTT_VERSION,
    .summary = "readings on plain MQTT topics (openHAB, ioBroker, Node-RED …): a value, a JSON object or a poll",
    .config = kamgw::plain_mqtt::config_keys(),
    .lane = {.batch_size = 16, .flush_interval = std::chrono::milliseconds(0)},
    .make_sink = &make_mqtt_sink,
};

}  // namespace

KAMGW_PLUGIN(descriptor)
KAMGW_SINK_CONFIG_CHECK(check_mqtt_config)
