#include <gtest/gtest.h>

#include "plugins/sink-ha-websocket/options.hpp"
#include "tests/support/temp_dir.hpp"

namespace {
using namespace kamgw;
using namespace kamgw::ha_websocket;

ConfigTable base() {
    ConfigTable t;
    t.set("url", std::string("http://homeassistant.local:8123"));
    t.set("token", std::string("abc"));
    return t;
}

TEST(Options, UrlGivesWsOrWss) {
    const BaseUrl plain = parse_base_url("http://ha:8123");
    EXPECT_EQ(plain.host, "ha");
    EXPECT_EQ(plain.port, 8123);
    EXPECT_FALSE(plain.tls);
    const BaseUrl tls = parse_base_url("https://ha.example.org/");
    EXPECT_TRUE(tls.tls);
    EXPECT_EQ(tls.port, 443);
    const BaseUrl proxied = parse_base_url("https://[::1]:8443/ha/");
    EXPECT_EQ(proxied.host, "::1");
    EXPECT_EQ(proxied.port, 8443);
    EXPECT_EQ(proxied.path_prefix, "/ha");
    EXPECT_THROW(parse_base_url("ws://ha:8123"), ConfigError);
    EXPECT_THROW(parse_base_url("http://user:pw@ha"), ConfigError);
    EXPECT_THROW(parse_base_url("http://ha:0"), ConfigError);
}

TEST(Options, DefaultsFollowTheDesign) {
    const Options o = options_from_config(base());
    EXPECT_TRUE(o.tls_verify);
    EXPECT_TRUE(o.push_states);
    EXPECT_TRUE(o.import_statistics);
    EXPECT_FALSE(o.fire_events);
    EXPECT_EQ(o.auth_fail_backoff, std::chrono::minutes(15));
    EXPECT_EQ(o.ping_interval, std::chrono::seconds(30));
    EXPECT_EQ(o.backfill_max_days, 30);
    EXPECT_EQ(o.stats_registers.size(), 4u);
}

TEST(Options, TokenFileIsKeptAndRead) {
    kamgw::test::TempDir dir;
    const auto file = dir.write("token", "from-file\r\nsecond line\n");
    EXPECT_EQ(read_token_file(file.string()), "from-file");
    ConfigTable t = base();
    t.set("token", std::string());
    t.set("token_file", file.string());
    const Options o = options_from_config(t);
    EXPECT_EQ(o.token, "from-file");
    EXPECT_EQ(o.token_file, file.string());
}

TEST(Options, RefusesBadValues) {
    ConfigTable t = base();
    t.set("statistic_source", std::string("Kam strup"));
    EXPECT_THROW(options_from_config(t), ConfigError);
    t = base();
    t.set("ca_file", std::string("/etc/ssl/ca.pem"));
    EXPECT_THROW(options_from_config(t), ConfigError) << "ca_file needs https";
    t = base();
    t.set("reconnect_min", std::chrono::milliseconds(5000));
    t.set("reconnect_max", std::chrono::milliseconds(1000));
    EXPECT_THROW(options_from_config(t), ConfigError);
}

}  // namespace
