// The example configurations under etc/examples are documentation; these tests keep them
// loading (and the broken one failing the documented way).
#include <gtest/gtest.h>

#include <cstdlib>

#include "core/config/config_loader.hpp"
#include "tests/unit/config/test_plugins.hpp"

namespace kamgw::config {
namespace {

std::filesystem::path examples() {
    // kamgw_add_test() sets KAMGW_SOURCE_DIR; without it, this file's own place in the tree.
    if (const char* source = std::getenv("KAMGW_SOURCE_DIR"); source && *source)
        return std::filesystem::path(source) / "etc" / "examples";
    return std::filesystem::path(__FILE__).parent_path() / ".." / ".." / ".." / "etc" / "examples";
}

inline constexpr std::array<std::string_view, 1> rfc2217_schemes = {"rfc2217"};
const PluginDescriptor rfc2217_transport{
    .name = "rfc2217", .kind = PluginKind::transport, .url_schemes = rfc2217_schemes};

StaticPluginSchemas plugins() {
    StaticPluginSchemas p = test::all_plugins();
    p.add(&rfc2217_transport);
    return p;
}

LoadOptions options(bool dropins) {
    LoadOptions o;
    o.read_dropins = dropins;
    o.default_gateway_id = "example";
    o.credentials_dir = std::filesystem::path{};
    return o;
}

TEST(ConfigExamples, MinimalLoads) {
    const Config c = load_config(examples() / "minimal.toml", plugins(), options(false));
    ASSERT_EQ(c.meters.size(), 1u);
    EXPECT_EQ(c.meters[0].endpoint.scheme, "serial");
    EXPECT_EQ(c.meters[0].registers.size(), 7u);
    ASSERT_EQ(c.sinks.size(), 1u);
    EXPECT_EQ(c.sinks[0].name, "mqtt-ha");
}

TEST(ConfigExamples, SeveralMetersWithDropinLoads) {
    const Config c = load_config(examples() / "several-meters.toml", plugins(), options(true));
    ASSERT_EQ(c.files.size(), 2u);
    EXPECT_EQ(c.gateway.id, "boiler-room");
    EXPECT_EQ(c.gateway.log_level, "debug");  // from conf.d/50-simulated.toml
    ASSERT_EQ(c.meters.size(), 4u);
    EXPECT_EQ(c.meters[0].registers.size(), 6u);
    EXPECT_EQ(c.meters[0].registers[4].every, std::chrono::minutes(15));
    EXPECT_EQ(c.meters[1].line_group, "stairwell");
    EXPECT_EQ(c.meters[2].registers[2].info.id, 1004);
    EXPECT_EQ(c.meters[3].name, "lab-sim");
    EXPECT_EQ(c.meters[3].interval, std::chrono::seconds(10));
    ASSERT_EQ(c.sinks.size(), 2u);
    EXPECT_EQ(c.sinks[1].name, "archive");
}

TEST(ConfigExamples, BrokenReportsEveryMistake) {
    const auto file = examples() / "broken.toml";
    try {
        load_config(file, plugins(), options(false));
        FAIL() << "broken.toml loaded";
    } catch (const ConfigErrors& e) {
        std::vector<std::string> where;
        for (const ConfigIssue& issue : e.issues())
            where.push_back(std::to_string(issue.where.line) + ":" + std::to_string(issue.where.column) + " " +
                            issue.key);
        EXPECT_EQ(where, (std::vector<std::string>{
                             "5:13 gateway.log_level",
                             "10:1 meter[0].intervall",
                             "11:11 meter[0].timeout",
                             "12:14 meter[0].registers",
                             "15:8 meter[1].name",
                             "16:7 meter[1].url",
                             "19:8 sink[0].type",
                         }))
            << e.what();
    }
}

}  // namespace
}  // namespace kamgw::config
