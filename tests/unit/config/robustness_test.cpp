// Whatever text a config file holds, loading it ends in a Config or in ConfigErrors with
// positions inside the text; never another exception, a crash or an empty message.
#include <gtest/gtest.h>

#include <random>

#include "core/config/config_loader.hpp"
#include "tests/unit/config/test_plugins.hpp"

namespace kamgw::config {
namespace {

constexpr std::string_view good = R"([gateway]
id = "g"
log_level = "debug"

[[meter]]
name = "house"
url = "tcp://10.0.0.5:2001?retries=2"
interval = "1h30min"
registers = ["heat_energy", "volume", 86]
register_intervals = { volume = "1min" }
baud = 2400

[[sink]]
type = "mqtt-ha"
url = "mqtt://localhost:1883"
qos = 2

[[sink]]
type = "csv"
path = "/tmp/r.csv"
columns = ["a", "b"]
)";

// Loads `text` and checks the outcome is one of the two allowed ones.
void expect_clean_outcome(const std::string& text, const StaticPluginSchemas& plugins) {
    LoadOptions options;
    options.default_gateway_id = "t";
    options.credentials_dir = std::filesystem::path{};
    const auto lines = static_cast<std::uint32_t>(std::count(text.begin(), text.end(), '\n') + 1);
    try {
        load_config_text(text, "fuzz.toml", plugins, options);
    } catch (const ConfigErrors& e) {
        ASSERT_FALSE(e.issues().empty());
        for (const ConfigIssue& issue : e.issues()) {
            EXPECT_FALSE(issue.message.empty()) << text;
            EXPECT_EQ(issue.where.file, "fuzz.toml");
            EXPECT_GE(issue.where.line, 1u) << render_issue(issue) << "\n" << text;
            EXPECT_LE(issue.where.line, lines) << render_issue(issue) << "\n" << text;
        }
    } catch (const std::exception& e) {
        ADD_FAILURE() << "unexpected exception: " << e.what() << "\n" << text;
    }
}

TEST(ConfigRobustness, EveryTruncationLoadsOrReportsIssues) {
    const StaticPluginSchemas plugins = test::all_plugins();
    for (std::size_t n = 0; n <= good.size(); ++n) expect_clean_outcome(std::string(good.substr(0, n)), plugins);
}

TEST(ConfigRobustness, RandomByteChangesLoadOrReportIssues) {
    const StaticPluginSchemas plugins = test::all_plugins();
    std::mt19937 rng(20261125);
    const std::string alphabet = "\"'=[]{},.#\n 0123456789abcdefghijklmnopqrstuvwxyz_-:/?&%\\\t\x01\xff";
    for (int round = 0; round < 1500; ++round) {
        std::string text(good);
        const int edits = 1 + static_cast<int>(rng() % 3);
        for (int e = 0; e < edits; ++e) {
            const std::size_t at = rng() % text.size();
            const char c = alphabet[rng() % alphabet.size()];
            switch (rng() % 3) {
                case 0:
                    text[at] = c;
                    break;
                case 1:
                    text.insert(text.begin() + static_cast<std::ptrdiff_t>(at), c);
                    break;
                default:
                    text.erase(at, 1);
                    break;
            }
        }
        expect_clean_outcome(text, plugins);
        if (HasFailure()) return;
    }
}

}  // namespace
}  // namespace kamgw::config
