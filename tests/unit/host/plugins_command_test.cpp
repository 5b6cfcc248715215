// `kamgw plugins` as a user runs it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/support/process.hpp"

namespace kamgw {
namespace {

using ::testing::HasSubstr;

TEST(PluginsCommand, JsonListsPluginsKeysAndProblems) {
    const auto result = test::run_command(
        {test::kamgw_binary().string(), "plugins", "--json", "--plugin-dir", KAMGW_FIXTURE_PLUGIN_DIR});
    EXPECT_EQ(result.exit_code, 72) << result.output;  // something was refused
    const auto json = nlohmann::json::parse(result.output);
    std::map<std::string, nlohmann::json> by_name;
    for (const auto& p : json["plugins"]) by_name[p["name"].get<std::string>()] = p;
    ASSERT_TRUE(by_name.count("fixture-good")) << result.output;
    EXPECT_EQ(by_name["fixture-good"]["kind"], "sink");
    EXPECT_EQ(by_name["fixture-good"]["version"], "1.2.3");
    EXPECT_EQ(by_name["fixture-good"]["config"][0]["key"], "tag");
    EXPECT_EQ(by_name["fixture-good"]["config"][0]["default"], "none");
    ASSERT_TRUE(by_name.count("fixture-loop"));
    EXPECT_EQ(by_name["fixture-loop"]["schemes"], nlohmann::json::array({"fixture-loop"}));
    std::string problems;
    for (const auto& p : json["problems"]) problems += p["message"].get<std::string>() + "\n";
    EXPECT_THAT(problems, HasSubstr("kamgw-sink-fixture-wrong-abi.so was built for plugin ABI 999"));
    EXPECT_THAT(problems, HasSubstr("kamgw-sink-fixture-no-symbols.so: it carries no kamgw ABI fingerprint"));
    EXPECT_EQ(json["problems"].size(), 3u + 1u) << problems;  // + the scheme thief
}

TEST(PluginsCommand, TextFromTheBuildTreeFindsTheCsvSink) {
    // No --plugin-dir: a kamgw in <build>/bin uses <build>/plugins.
    const auto result = test::run_command({test::kamgw_binary().string(), "plugins"});
    EXPECT_THAT(result.output, HasSubstr("Plugin folders: " + test::plugin_dir().string()));
    EXPECT_THAT(result.output, HasSubstr("sink csv "));
    EXPECT_THAT(result.output, HasSubstr("fsync        choice (never|batch|always)"));
}

TEST(PluginsCommand, BadOptionIsAUsageError) {
    const auto result = test::run_command({test::kamgw_binary().string(), "plugins", "--frobnicate"});
    EXPECT_EQ(result.exit_code, 64) << result.output;
}

}  // namespace
}  // namespace kamgw
