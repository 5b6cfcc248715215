#include "plugins/sink-mqtt/options.hpp"

#include <vector>

namespace kamgw::plain_mqtt {
namespace {

constexpr std::string_view default_register_topic = "kamgw/{gateway}/{meter}/{key}";
constexpr std::string_view default_poll_topic = "kamgw/{gateway}/{meter}";
constexpr std::string_view default_availability_topic = "kamgw/{gateway}/availability";

constexpr ConfigKey plain_keys[] = {
    {"payload", ConfigType::choice, "value", false,
     "value: the number as text per register; json: an object per register; poll: one object per poll",
     "value|json|poll"},
    {"topic", ConfigType::string, "", false,
     "topic template; default kamgw/{gateway}/{meter}/{key} (payload = \"poll\": kamgw/{gateway}/{meter})"},
    {"availability_topic", ConfigType::string, "kamgw/{gateway}/availability", false,
     "'online' while connected, 'offline' as last will (retained); {gateway} may be used"},
    {"retain", ConfigType::boolean, "true", false, "retain the readings, so a new subscriber gets the latest at once"},
};

PayloadMode payload_named(const std::string& name) {
    if (name == "value") return PayloadMode::value;
    if (name == "json") return PayloadMode::json;
    if (name == "poll") return PayloadMode::poll;
    throw ConfigError("payload must be value, json or poll, not '" + name + "'");
}

void check_topic(const TopicTemplate& t, PayloadMode mode) {
    const bool per_register = t.uses(Placeholder::key) || t.uses(Placeholder::id);
    if (!t.uses(Placeholder::meter) && !t.uses(Placeholder::serial))
        throw ConfigError("topic '" + t.text() +
                          "' needs {meter} or {serial}: without one, every meter writes the same topic");
    if (mode == PayloadMode::poll && per_register)
        throw ConfigError("topic '" + t.text() +
                          "': with payload = \"poll\" one message carries every register, so {key} and {id} "
                          "have no value; leave them out");
    if (mode != PayloadMode::poll && !per_register)
        throw ConfigError("topic '" + t.text() +
                          "' needs {key} or {id}: without one, every register of a meter writes the same topic "
                          "(or use payload = \"poll\")");
}

}  // namespace

std::span<const ConfigKey> config_keys() {
    static const std::vector<ConfigKey> keys = mqtt::with_connection_keys(plain_keys);
    return keys;
}

Options options_from_config(const ConfigTable& t, const std::string& gateway_id, const std::string& instance) {
    Options o;
    static_cast<mqtt::ConnectionOptions&>(o) =
        mqtt::connection_from_config(t, "kamgw-" + mqtt::id_safe(gateway_id) + "-" + mqtt::id_safe(instance));
    o.payload = payload_named(t.get_string_or("payload", "value"));
    const std::string fallback(o.payload == PayloadMode::poll ? default_poll_topic : default_register_topic);
    o.topic = TopicTemplate::parse(t.get_string_or("topic", fallback));
    check_topic(o.topic, o.payload);
    const TopicTemplate availability =
        TopicTemplate::parse(t.get_string_or("availability_topic", std::string(default_availability_topic)));
    for (Placeholder p :
         {Placeholder::meter, Placeholder::serial, Placeholder::model, Placeholder::key, Placeholder::id})
        if (availability.uses(p))
            throw ConfigError("availability_topic '" + availability.text() +
                              "' is one topic for the whole gateway: only {gateway} may be used in it");
    o.availability_topic = availability.expand({.gateway = gateway_id});
    o.retain = t.has("retain") ? t.get_bool("retain") : true;
    return o;
}

}  // namespace kamgw::plain_mqtt
