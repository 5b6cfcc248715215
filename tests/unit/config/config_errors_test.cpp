#include <gtest/gtest.h>

#include "core/config/config_loader.hpp"
#include "tests/unit/config/test_plugins.hpp"

namespace kamgw::config {
namespace {

TEST(ConfigErrorsRender, OneIssuePerLineInTheDocumentedFormat) {
    const ConfigErrors e({{{"a.toml", 3, 5}, "meter[0].interval", "duration 500ms is out of range", "at least 1s"},
                          {{"b.toml", 1, 2}, "", "TOML syntax error: x", ""}});
    EXPECT_STREQ(e.what(),
                 "a.toml:3:5: key 'meter[0].interval': duration 500ms is out of range; accepted: at least 1s\n"
                 "b.toml:1:2: TOML syntax error: x");
    EXPECT_EQ(e.issues().size(), 2u);
}

TEST(ConfigErrorsRender, AllIssuesOfAFileAreCollected) {
    const StaticPluginSchemas plugins = test::all_plugins();
    LoadOptions options;
    options.default_gateway_id = "t";
    const std::string text = R"([gateway]
log_levl = "info"

[[meter]]
name = "m"
url = "nope://x"
intervall = "1h"

[[sink]]
type = "influx"
)";
    try {
        load_config_text(text, "k.toml", plugins, options);
        FAIL() << "expected errors";
    } catch (const ConfigErrors& e) {
        ASSERT_EQ(e.issues().size(), 4u) << e.what();
        const std::string what = e.what();
        EXPECT_NE(what.find("k.toml:2:1: key 'gateway.log_levl': unknown key 'log_levl' (did you mean 'log_level'?); "
                            "accepted: id, log_level,"),
                  std::string::npos)
            << what;
        EXPECT_NE(what.find("k.toml:6:7: key 'meter[0].url': no loaded transport plugin serves the URL scheme 'nope'"
                            "; accepted: URLs with the schemes serial, sim, socket, tcp"),
                  std::string::npos)
            << what;
        EXPECT_NE(what.find("k.toml:7:1: key 'meter[0].intervall'"), std::string::npos) << what;
        EXPECT_NE(what.find("k.toml:10:8: key 'sink[0].type': no loaded sink plugin is called 'influx'; accepted: "
                            "csv, mqtt-ha"),
                  std::string::npos)
            << what;
        EXPECT_EQ(std::count(what.begin(), what.end(), '\n'), 3);
    }
}

}  // namespace
}  // namespace kamgw::config
