#include "plugins/sink-influxdb/settings.hpp"

#include <gtest/gtest.h>

namespace kamgw::influxdb {
namespace {

ConfigTable table(std::initializer_list<std::pair<std::string, ConfigValue>> values) {
    ConfigTable t;
    for (const auto& [k, v] : values) t.set(k, v);
    return t;
}

TEST(InfluxSettings, V1IsTheDefaultAndBuildsTheWriteTarget) {
    const Settings s = parse_settings(table({{"url", std::string("http://127.0.0.1:8086")},
                                             {"database", std::string("kam strup")},
                                             {"retention_policy", std::string("one_year")},
                                             {"precision", std::string("ms")}}));
    EXPECT_EQ(s.mode, Mode::http);
    EXPECT_EQ(s.api, Api::v1);
    EXPECT_EQ(s.base_url, "http://127.0.0.1:8086");
    EXPECT_EQ(write_target(s), "/write?db=kam%20strup&rp=one_year&precision=ms");
}

TEST(InfluxSettings, V2IsInferredFromOrgBucketOrToken) {
    const Settings s = parse_settings(table({{"url", std::string("https://influx.example:8086/proxy/")},
                                             {"database", std::string("kamstrup")},
                                             {"org", std::string("home")},
                                             {"bucket", std::string("heat")},
                                             {"token", std::string("secret")}}));
    EXPECT_EQ(s.api, Api::v2);
    EXPECT_TRUE(s.https);
    EXPECT_EQ(s.base_url, "https://influx.example:8086");
    EXPECT_EQ(write_target(s), "/proxy/api/v2/write?org=home&bucket=heat&precision=s");
    EXPECT_EQ(describe_target(s).find("secret"), std::string::npos);
}

TEST(InfluxSettings, ExplicitApiWinsAndMissingKeysAreNamed) {
    EXPECT_EQ(
        parse_settings(table({{"api", std::string("v1")}, {"database", std::string("d")}, {"token", std::string("t")}}))
            .api,
        Api::v1);
    try {
        parse_settings(table({{"api", std::string("v2")}, {"org", std::string("o")}}));
        FAIL() << "a v2 sink without a bucket was accepted";
    } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("bucket"), std::string::npos);
    }
    EXPECT_THROW(parse_settings(table({{"url", std::string("ftp://x")}})), ConfigError);
    EXPECT_THROW(parse_settings(table({{"url", std::string("http://u:p@x:8086")}})), ConfigError);
    EXPECT_THROW(parse_settings(table({{"database", std::string("d")}, {"password", std::string("p")}})), ConfigError);
    EXPECT_THROW(parse_settings(table({{"database", std::string("d")}, {"measurement", std::string("a\nb")}})),
                 ConfigError);
}

TEST(InfluxSettings, FileModeFromUrlPathOrMode) {
    EXPECT_EQ(parse_settings(table({{"url", std::string("file:///var/lib/kamgw/points.lp")}})).path,
              "/var/lib/kamgw/points.lp");
    const Settings dash = parse_settings(table({{"path", std::string("-")}}));
    EXPECT_EQ(dash.mode, Mode::file);
    EXPECT_EQ(describe_target(dash), "standard output");
    EXPECT_THROW(parse_settings(table({{"mode", std::string("file")}})), ConfigError);
    EXPECT_THROW(parse_settings(table({{"mode", std::string("http")}, {"url", std::string("file:///x")}})),
                 ConfigError);
}

TEST(InfluxSettings, SchemaDefaultsMatchWhatTheParserAssumes) {
    for (const ConfigKey& k : config_keys) {
        if (k.key == "precision") {
            EXPECT_EQ(k.default_value, "s");
        }
        if (k.key == "tls_verify") {
            EXPECT_EQ(k.default_value, "true");
        }
        if (k.key == "measurement") {
            EXPECT_EQ(k.default_value, "kamstrup");
        }
        if (k.type == ConfigType::choice) {
            EXPECT_NE(k.choices.find(k.default_value), std::string_view::npos) << k.key;
        }
    }
}

}  // namespace
}  // namespace kamgw::influxdb
