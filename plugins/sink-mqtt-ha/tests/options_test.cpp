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
    EXPECT_FALSE(o.compat);  // auto
    EXPECT_TRUE(o.form.every_release);
    EXPECT_TRUE(o.ha_url.empty());
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
    t.set("discovery", std::string("device"));
    t.set("ha_compat", std::string("2024.10"));  // device discovery came with 2024.11
    EXPECT_THROW(options_from_config(t, "gw"), ConfigError);
    t = table("mqtt://h");
    t.set("ha_url", std::string("http://ha.lan:8123"));  // without ha_token
    EXPECT_THROW(options_from_config(t, "gw"), ConfigError);
    t = table("mqtt://h");
    t.set("ha_token", std::string("t"));  // without ha_url
    EXPECT_THROW(options_from_config(t, "gw"), ConfigError);
    t = table("mqtt://h");
    t.set("ha_url", std::string("ha.lan:8123"));
    t.set("ha_token", std::string("t"));
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
    t.set("ha_compat", std::string("2024.11"));
    t.set("ha_url", std::string("https://ha.lan/ha"));
    t.set("ha_token", std::string("tok"));
    t.set("ha_ca_file", std::string("/ha-ca"));
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
    ASSERT_TRUE(o.compat);
    EXPECT_EQ(o.compat->year, 2024);
    EXPECT_EQ(o.compat->month, 11);
    EXPECT_FALSE(o.form.every_release);
    EXPECT_EQ(o.ha_url, "https://ha.lan/ha");
    EXPECT_EQ(o.ha_token, "tok");
    EXPECT_EQ(o.ha_ca_file, "/ha-ca");
    EXPECT_TRUE(o.gas_companion);
}

TEST(MqttHaOptions, HaCompatNamesAReleaseOrAuto) {
    auto compat = [](std::string text) {
        ConfigTable t = table("mqtt://h");
        t.set("ha_compat", std::move(text));
        return options_from_config(t, "gw");
    };
    EXPECT_FALSE(compat("auto").compat);
    EXPECT_EQ(compat("minimal").compat->year, 2022);
    EXPECT_EQ(compat("minimal").compat->month, 10);
    EXPECT_EQ(compat("modern").compat->month, 9);
    EXPECT_EQ(compat("2025.10").compat->month, 10);
    EXPECT_EQ(compat("2024.2.3").compat->month, 2);
    EXPECT_TRUE(device_serial_number(compat("2024.2").form));
    EXPECT_FALSE(device_serial_number(compat("2024.1").form));
    for (const char* bad : {"2022.9", "newest", "", "2024", "2024.13", "99999.1"})
        EXPECT_THROW(compat(bad), ConfigError) << bad;
    // auto with device discovery writes for 2024.11, the first release that has it.
    ConfigTable t = table("mqtt://h");
    t.set("discovery", std::string("device"));
    const Options device = options_from_config(t, "gw");
    EXPECT_FALSE(device.form.every_release);
    EXPECT_EQ(device.form.release.year, 2024);
    EXPECT_EQ(device.form.release.month, 11);
}

TEST(MqttHaOptions, SchemaDefaultsMatchTheCode) {
    // The table's defaults are what `kamgw plugins` and the docs print: they must be what
    // options_from_config() assumes for an absent key.
    std::map<std::string_view, const ConfigKey*> by_key;
    for (const ConfigKey& k : config_keys()) by_key[k.key] = &k;
    EXPECT_EQ(by_key.at("qos")->default_value, "1");
    EXPECT_EQ(by_key.at("retain")->default_value, "true");
    EXPECT_EQ(by_key.at("ha_compat")->default_value, "auto");
    EXPECT_EQ(by_key.at("ha_token")->type, ConfigType::secret);
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
