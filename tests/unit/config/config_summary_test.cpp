#include <gtest/gtest.h>

#include "core/config/config_loader.hpp"
#include "core/config/config_summary.hpp"
#include "tests/unit/config/test_plugins.hpp"

namespace kamgw::config {
namespace {

TEST(ConfigSummary, ShowsWhatWouldRunWithoutSecrets) {
    const StaticPluginSchemas plugins = test::all_plugins();
    LoadOptions options;
    options.default_gateway_id = "gw";
    options.credentials_dir = std::filesystem::path{};
    const Config c = load_config_text(R"([[meter]]
name = "house"
url = "socket://user:pw@10.0.0.5:2001?retries=2"
interval = "15min"
registers = ["heat_energy", "volume"]
register_intervals = { volume = "1min" }

[[sink]]
type = "mqtt-ha"
url = "mqtt://bob:hunter2@broker:1883"
password = "s3cr3t-value"
)",
                                      "main.toml", plugins, options);
    const std::string text = summarize_config(c, plugins);
    EXPECT_NE(text.find("gateway gw: log level info"), std::string::npos) << text;
    EXPECT_NE(text.find("meter house: socket://10.0.0.5:2001?retries=2 (socket), every 15min, 1200 8N2, "
                        "address 0x3F"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("transport tcp: connect_timeout=5s, retries=2"), std::string::npos) << text;
    EXPECT_NE(text.find("registers: heat_energy (60), volume (68) every 1min\n"), std::string::npos) << text;
    EXPECT_NE(text.find("sink mqtt-ha (mqtt-ha): batch plugin default"), std::string::npos) << text;
    EXPECT_NE(text.find("password=(secret)"), std::string::npos) << text;
    EXPECT_NE(text.find("url=\"mqtt://broker:1883\""), std::string::npos) << text;
    EXPECT_EQ(text.find("s3cr3t-value"), std::string::npos) << text;
    EXPECT_EQ(text.find("hunter2"), std::string::npos) << text;
    EXPECT_EQ(text.find(":pw@"), std::string::npos) << text;
}

}  // namespace
}  // namespace kamgw::config
