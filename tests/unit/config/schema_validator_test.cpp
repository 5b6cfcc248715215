#include <gtest/gtest.h>

#include <toml++/toml.h>

#include "core/config/schema_validator.hpp"
#include "tests/unit/config/test_plugins.hpp"

namespace kamgw::config {
namespace {

using namespace std::literals;
using test::position_of;

toml::table parse(std::string_view text) { return toml::parse(text, "plugin.toml"sv); }

TEST(ConfigSchema, AppliesValuesAndDefaults) {
    const auto doc = parse(R"(url = "mqtt://localhost:1883"
qos = 2
keepalive = "2min"
)");
    std::vector<ConfigIssue> issues;
    const ConfigTable t = validate_table(doc, test::mqtt_keys, "sink[0]", issues);
    ASSERT_TRUE(issues.empty()) << render_issues(issues);
    EXPECT_EQ(t.get_string("url"), "mqtt://localhost:1883");
    EXPECT_EQ(t.get_int("qos"), 2);
    EXPECT_EQ(t.get_duration("keepalive"), std::chrono::minutes(2));
    EXPECT_TRUE(t.get_bool("retain"));                             // default "true"
    EXPECT_EQ(t.get_string("discovery_prefix"), "homeassistant");  // default
    EXPECT_FALSE(t.has("username"));                               // no default, not set
    EXPECT_FALSE(t.has("password"));
}

TEST(ConfigSchema, ReportsEveryProblemWithPositions) {
    const std::string text = R"(url = 42
qos = 7
retain = "yes"
keepalive = 60
qoss = 1
)";
    std::vector<ConfigIssue> issues;
    validate_table(parse(text), test::mqtt_keys, "sink[1]", issues);
    ASSERT_EQ(issues.size(), 5u) << render_issues(issues);
    // Unknown keys come first, at the key.
    EXPECT_EQ(issues[0].key, "sink[1].qoss");
    EXPECT_EQ(issues[0].where.line, 5u);
    EXPECT_EQ(issues[0].where.column, 1u);
    EXPECT_NE(issues[0].message.find("did you mean 'qos'"), std::string::npos);
    EXPECT_NE(issues[0].accepted.find("password, password_file"), std::string::npos) << issues[0].accepted;
    // Type errors point at the value.
    EXPECT_EQ(issues[1].key, "sink[1].url");
    EXPECT_EQ(issues[1].where.line, 1u);
    EXPECT_EQ(issues[1].where.column, 7u);
    EXPECT_EQ(issues[1].message, "expected a string, got an integer");
    EXPECT_EQ(issues[2].key, "sink[1].qos");
    EXPECT_EQ(issues[2].message, "7 is out of range");
    EXPECT_EQ(issues[2].accepted, "an integer from 0 to 2");
    EXPECT_EQ(issues[3].key, "sink[1].retain");
    EXPECT_EQ(issues[3].accepted, "true or false");
    EXPECT_EQ(issues[4].key, "sink[1].keepalive");
    EXPECT_EQ(issues[4].where.line, 4u);
    EXPECT_EQ(issues[4].where.column, 13u);
    EXPECT_NE(issues[4].message.find("needs a unit"), std::string::npos) << issues[4].message;
    EXPECT_NE(issues[4].accepted.find("from 5s to 1h"), std::string::npos) << issues[4].accepted;
    EXPECT_EQ(issues[4].where.file, "plugin.toml");
}

TEST(ConfigSchema, MissingRequiredKeyPointsAtTheTable) {
    const std::string text = "[sink]\nqos = 1\n";
    const auto doc = parse(text);
    std::vector<ConfigIssue> issues;
    validate_table(*doc["sink"].as_table(), test::mqtt_keys, "sink", issues);
    ASSERT_EQ(issues.size(), 1u) << render_issues(issues);
    EXPECT_EQ(issues[0].key, "sink.url");
    EXPECT_EQ(issues[0].message, "required key 'url' is missing");
    EXPECT_EQ(issues[0].where.line, 1u);
    EXPECT_EQ(issues[0].where.column, 1u);
}

TEST(ConfigSchema, ChoicesAndListsAreChecked) {
    const std::string text = "path = \"/tmp/x.csv\"\ndelimiter = \"tabb\"\ncolumns = [\"a\", 3]\n";
    std::vector<ConfigIssue> issues;
    validate_table(parse(text), test::csv_keys, "", issues);
    ASSERT_EQ(issues.size(), 2u) << render_issues(issues);
    EXPECT_EQ(issues[0].key, "delimiter");
    EXPECT_EQ(issues[0].message, "\"tabb\" is not a valid choice (did you mean 'tab'?)");
    EXPECT_EQ(issues[0].accepted, "',', ';' or 'tab'");
    EXPECT_EQ(issues[1].key, "columns");
    const auto [line, column] = position_of(text, "3]");
    EXPECT_EQ(issues[1].where.line, line);
    EXPECT_EQ(issues[1].where.column, column);
}

TEST(ConfigSchema, StringListDefaultIsSplit) {
    std::vector<ConfigIssue> issues;
    const ConfigTable t = validate_table(parse("path = \"x\""), test::csv_keys, "", issues);
    ASSERT_TRUE(issues.empty()) << render_issues(issues);
    EXPECT_EQ(t.get_list("columns"), (std::vector<std::string>{"time", "meter", "value"}));
    EXPECT_EQ(t.get_string("delimiter"), ",");
    EXPECT_EQ(t.get_int("decimals"), 3);
}

TEST(ConfigSchema, IgnoreUnknownAndExtraKeys) {
    std::vector<ConfigIssue> issues;
    ValidateOptions options;
    options.extra_keys = {"registers"};
    validate_table(parse("path = \"x\"\nregisters = [1]\n"), test::csv_keys, "", issues, options);
    EXPECT_TRUE(issues.empty()) << render_issues(issues);
    options.extra_keys.clear();
    options.ignore_unknown = true;
    validate_table(parse("path = \"x\"\nwhatever = 1\n"), test::csv_keys, "", issues, options);
    EXPECT_TRUE(issues.empty()) << render_issues(issues);
}

TEST(ConfigSchema, StringOptionsAreConverted) {
    std::vector<ConfigIssue> issues;
    ValidateOptions options;
    options.fallback = {"main.toml", 4, 7};
    const ConfigTable t = validate_string_options({{"connect_timeout", "3s"}, {"retries", "5"}}, test::tcp_keys,
                                                  "meter[0].url", issues, options);
    ASSERT_TRUE(issues.empty()) << render_issues(issues);
    EXPECT_EQ(t.get_duration("connect_timeout"), std::chrono::seconds(3));
    EXPECT_EQ(t.get_int("retries"), 5);

    validate_string_options({{"retries", "many"}, {"retry", "1"}, {"connect_timeout", "3"}}, test::tcp_keys,
                            "meter[0].url", issues, options);
    ASSERT_EQ(issues.size(), 3u) << render_issues(issues);
    EXPECT_EQ(issues[0].key, "meter[0].url.retries");
    EXPECT_EQ(issues[0].message, "\"many\" is not an integer");
    EXPECT_EQ(issues[0].where.to_string(), "main.toml:4:7");
    EXPECT_EQ(issues[1].key, "meter[0].url.retry");
    EXPECT_NE(issues[1].message.find("did you mean 'retries'"), std::string::npos);
    EXPECT_EQ(issues[2].key, "meter[0].url.connect_timeout");
    EXPECT_NE(issues[2].message.find("no unit"), std::string::npos) << issues[2].message;
}

TEST(ConfigSchema, DescribesAcceptedValues) {
    EXPECT_EQ(describe_accepted(test::csv_keys[2]), "an integer from 0 to 9");
    EXPECT_EQ(describe_accepted(test::csv_keys[1]), "',', ';' or 'tab'");
    EXPECT_EQ(accepted_keys(test::mqtt_keys),
              "url, username, password, password_file, qos, retain, keepalive, discovery_prefix");
}

TEST(ConfigSchema, BadPluginDefaultIsReported) {
    static constexpr std::array<ConfigKey, 1> broken = {{{"n", ConfigType::integer, "lots", false, ""}}};
    std::vector<ConfigIssue> issues;
    validate_table(parse(""), broken, "x", issues);
    ASSERT_EQ(issues.size(), 1u);
    EXPECT_NE(issues[0].message.find("plugin bug"), std::string::npos);
}

}  // namespace
}  // namespace kamgw::config
