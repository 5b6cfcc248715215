#include <gtest/gtest.h>

#include "plugins/sink-mqtt/options.hpp"

namespace kamgw::plain_mqtt {
namespace {

ConfigTable table(std::initializer_list<std::pair<const char*, std::string>> values) {
    ConfigTable t;
    t.set("url", std::string("mqtt://broker.lan"));
    for (const auto& [k, v] : values) t.set(k, v);
    return t;
}

std::string refusal(const ConfigTable& t) {
    try {
        (void)options_from_config(t, "gw", "mqtt");
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "";
}

TEST(PlainMqttOptions, DefaultsNameTheGatewayAndTheSinkInstance) {
    const Options o = options_from_config(table({}), "boiler room/1", "mqtt");
    EXPECT_EQ(o.client_id, "kamgw-boiler_room_1-mqtt");
    EXPECT_EQ(o.payload, PayloadMode::value);
    EXPECT_EQ(o.topic.text(), "kamgw/{gateway}/{meter}/{key}");
    EXPECT_EQ(o.availability_topic, "kamgw/boiler room_1/availability");
    EXPECT_TRUE(o.retain);
    EXPECT_EQ(o.qos, 1);
}

TEST(PlainMqttOptions, APollTopicHasNoRegisterLevel) {
    const Options o = options_from_config(table({{"payload", "poll"}}), "gw", "mqtt");
    EXPECT_EQ(o.topic.text(), "kamgw/{gateway}/{meter}");
    EXPECT_NE(refusal(table({{"payload", "poll"}, {"topic", "a/{meter}/{key}"}})).find("leave them out"),
              std::string::npos);
}

TEST(PlainMqttOptions, RefusesTopicsWhereMetersOrRegistersWouldOverwriteEachOther) {
    EXPECT_NE(refusal(table({{"topic", "a/{gateway}/{key}"}})).find("needs {meter} or {serial}"), std::string::npos);
    EXPECT_NE(refusal(table({{"topic", "a/{meter}"}})).find("needs {key} or {id}"), std::string::npos);
    EXPECT_EQ(refusal(table({{"topic", "a/{serial}/{id}"}})), "");
    EXPECT_NE(refusal(table({{"payload", "xml"}})).find("value, json or poll"), std::string::npos);
}

TEST(PlainMqttOptions, AvailabilityIsOneTopicPerGateway) {
    EXPECT_NE(refusal(table({{"availability_topic", "a/{meter}/status"}})).find("only {gateway}"), std::string::npos);
    EXPECT_EQ(options_from_config(table({{"availability_topic", "lwt/{gateway}"}}), "gw", "mqtt").availability_topic,
              "lwt/gw");
}

}  // namespace
}  // namespace kamgw::plain_mqtt
