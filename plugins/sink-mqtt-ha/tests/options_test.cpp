#include <gtest/gtest.h>

#include <map>

#include "plugins/sink-mqtt-ha/options.hpp"

namespace kamgw::mqtt_ha {
namespace {

ConfigTable table(std::string url) {
    ConfigTable t;
    t.set("url", std::move(url));
    return t;
}

TEST(MqttHaOptions, DefaultsFollowTheGatewayId) {
    const Options o = options_from_config(table("mqtt://broker.lan"), "boiler room/1");
    EXPECT_EQ(o.broker.host, "broker.lan");
    EXPECT_EQ(o.broker.port, 1883);
    EXPECT_FALSE(o.broker.tls);
    EXPECT_EQ(o.client_id, "kamgw-boiler_room_1");
    EXPECT_EQ(o.base_topic, "kamgw/boiler room_1");
    EXPECT_EQ(o.discovery_prefix, "homeassistant");
    EXPECT_EQ(o.status_topic, "homeassistant/status");
    EXPECT_EQ(o.qos, 1);
    EXPECT_TRUE(o.retain);
    EXPECT_EQ(o.compat, HaCompat::v2025_10);
    EXPECT_EQ(o.discovery, DiscoveryMode::entity);
    EXPECT_FALSE(o.gas_companion);
}

TEST(MqttHaOptions, RefusesContradictions) {
    ConfigTable t = table("mqtt://h");
    t.set("ca_file", std::string("/x"));
    EXPECT_THROW(options_from_config(t, "gw"), ConfigError);  // TLS files need mqtts
    t = table("mqtt://h");
    t.set("discovery", std::string("device"));
    t.set("ha_compat", std::string("minimal"));
    EXPECT_THROW(options_from_config(t, "gw"), ConfigError);
    t = table("mqtt://h");
    t.set("base_topic", std::string("kamgw/#"));
    EXPECT_THROW(options_from_config(t, "gw"), ConfigError);
    t = table("mqtts://h");
    t.set("cert_file", std::string("/c"));
    EXPECT_THROW(options_from_config(t, "gw"), ConfigError);  // without key_file
}

TEST(MqttHaOptions, ReadsEveryKey) {
    ConfigTable t = table("mqtts://h:8884");
    t.set("username", std::string("u"));
    t.set("password", std::string("p"));
    t.set("client_id", std::string("c"));
    t.set("keepalive", std::chrono::milliseconds(30000));
    t.set("qos", std::int64_t{2});
    t.set("retain", false);
    t.set("ca_file", std::string("/ca"));
    t.set("tls_verify", false);
    t.set("discovery_prefix", std::string("ha"));
    t.set("base_topic", std::string("meters"));
    t.set("status_topic", std::string("ha/status"));
    t.set("discovery", std::string("device"));
    t.set("ha_compat", std::string("modern"));
    t.set("gas_companion", true);
    const Options o = options_from_config(t, "gw");
    EXPECT_EQ(o.username, "u");
    EXPECT_EQ(o.password, "p");
    EXPECT_EQ(o.client_id, "c");
    EXPECT_EQ(o.keepalive, std::chrono::seconds(30));
    EXPECT_EQ(o.qos, 2);
    EXPECT_FALSE(o.retain);
    EXPECT_EQ(o.ca_file, "/ca");
    EXPECT_FALSE(o.tls_verify);
    EXPECT_EQ(o.base_topic, "meters");
    EXPECT_EQ(o.status_topic, "ha/status");
    EXPECT_EQ(o.discovery, DiscoveryMode::device);
    EXPECT_EQ(o.compat, HaCompat::modern);
    EXPECT_TRUE(o.gas_companion);
}

TEST(MqttHaOptions, SchemaDefaultsMatchTheCode) {
    // The table's defaults are what `kamgw plugins` and the docs print: they must be what
    // options_from_config() assumes for an absent key.
    std::map<std::string_view, const ConfigKey*> by_key;
    for (const ConfigKey& k : config_keys()) by_key[k.key] = &k;
    EXPECT_EQ(by_key.at("qos")->default_value, "1");
    EXPECT_EQ(by_key.at("retain")->default_value, "true");
    EXPECT_EQ(by_key.at("ha_compat")->default_value, "2025.10");
    EXPECT_EQ(by_key.at("discovery")->default_value, "entity");
    EXPECT_EQ(by_key.at("status_topic")->default_value, "homeassistant/status");
    EXPECT_EQ(by_key.at("discovery_prefix")->default_value, "homeassistant");
    EXPECT_EQ(by_key.at("gas_companion")->default_value, "false");
    EXPECT_EQ(by_key.at("tls_verify")->default_value, "true");
    EXPECT_EQ(by_key.at("password")->type, ConfigType::secret);
    EXPECT_TRUE(by_key.at("url")->required);
    EXPECT_GE(config_keys().size(), 17u);
}

}  // namespace
}  // namespace kamgw::mqtt_ha
