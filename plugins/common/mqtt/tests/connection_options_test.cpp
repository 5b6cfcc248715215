#include <gtest/gtest.h>

#include "plugins/common/mqtt/connection_options.hpp"

namespace kamgw::mqtt {
namespace {

ConfigTable table(std::string url) {
    ConfigTable t;
    t.set("url", std::move(url));
    return t;
}

TEST(MqttConnectionOptions, ParsesUrls) {
    EXPECT_EQ(parse_broker_url("mqtts://h:8884").port, 8884);
    EXPECT_TRUE(parse_broker_url("mqtts://h").tls);
    EXPECT_EQ(parse_broker_url("mqtts://h").port, 8883);
    EXPECT_EQ(parse_broker_url("mqtt://[::1]:1884").host, "::1");
    EXPECT_EQ(parse_broker_url("mqtt://127.0.0.1:1884/").port, 1884);
    EXPECT_THROW(parse_broker_url("tcp://h:1"), ConfigError);
    EXPECT_THROW(parse_broker_url("mqtt://h:0"), ConfigError);
    EXPECT_THROW(parse_broker_url("mqtt://h:99999"), ConfigError);
    EXPECT_THROW(parse_broker_url("mqtt://user:pw@h:1"), ConfigError);
    EXPECT_THROW(parse_broker_url("mqtt://:1883"), ConfigError);
}

TEST(MqttConnectionOptions, DefaultClientIdOnlyWhenNoneIsSet) {
    EXPECT_EQ(connection_from_config(table("mqtt://h"), "kamgw-a-mqtt").client_id, "kamgw-a-mqtt");
    ConfigTable t = table("mqtt://h");
    t.set("client_id", std::string("mine"));
    EXPECT_EQ(connection_from_config(t, "kamgw-a-mqtt").client_id, "mine");
}

TEST(MqttConnectionOptions, RefusesTlsFilesWithoutTlsAndAHalfClientCertificate) {
    ConfigTable t = table("mqtt://h");
    t.set("ca_file", std::string("/ca"));
    EXPECT_THROW(connection_from_config(t, "c"), ConfigError);
    ConfigTable u = table("mqtts://h");
    u.set("cert_file", std::string("/cert"));
    EXPECT_THROW(connection_from_config(u, "c"), ConfigError);
}

TEST(MqttConnectionOptions, SinkKeysFollowTheConnectionKeys) {
    constexpr ConfigKey own[] = {{"topic", ConfigType::string, "", false, "t"}};
    const auto keys = with_connection_keys(own);
    ASSERT_GT(keys.size(), 2u);
    EXPECT_EQ(keys.front().key, "url");
    EXPECT_TRUE(keys.front().required);
    EXPECT_EQ(keys.back().key, "topic");
}

TEST(MqttConnectionOptions, SafeTopicLevelsAndIds) {
    EXPECT_EQ(topic_safe("a/b+c#d"), "a_b_c_d");
    EXPECT_EQ(topic_safe(""), "kamgw");
    EXPECT_EQ(id_safe("boiler room/1"), "boiler_room_1");
}

}  // namespace
}  // namespace kamgw::mqtt
