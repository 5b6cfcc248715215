// The add-on's files and `kamgw addon-config` must know the same options: config.yaml's schema
// (what the Supervisor lets the user set), its defaults, translations/en.yaml (the labels in the
// UI) and the converter. The YAML is read by indentation and `key:`, which is all these files use.
#include <gtest/gtest.h>

#include <cctype>
#include <fstream>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/app/addon_options.hpp"
#include "tests/support/process.hpp"

namespace kamgw::app {
namespace {

// The keys directly under `path` (e.g. {"schema", "meters"}); a list item's keys count as its
// parent's, so a list of tables reads like a table.
std::set<std::string> keys_under(const std::filesystem::path& file, const std::vector<std::string>& path) {
    std::ifstream in(file);
    EXPECT_TRUE(in) << file;
    std::set<std::string> out;
    std::vector<std::pair<std::size_t, std::string>> stack;  // (indent, key) of the open tables
    for (std::string line; std::getline(in, line);) {
        std::size_t indent = line.find_first_not_of(' ');
        if (indent == std::string::npos || line[indent] == '#') continue;
        if (line.compare(indent, 2, "- ") == 0) indent += 2;
        std::size_t end = indent;
        while (end < line.size() && (std::isalnum(static_cast<unsigned char>(line[end])) || line[end] == '_')) ++end;
        if (end == indent || end >= line.size() || line[end] != ':') continue;  // text, not a key
        while (!stack.empty() && stack.back().first >= indent) stack.pop_back();
        const std::string key = line.substr(indent, end - indent);
        if (stack.size() == path.size()) {
            bool match = true;
            for (std::size_t i = 0; i < path.size(); ++i) match = match && stack[i].second == path[i];
            if (match) out.insert(key);
        }
        stack.emplace_back(indent, key);
    }
    return out;
}

std::set<std::string> as_set(std::span<const std::string_view> names) { return {names.begin(), names.end()}; }

const std::filesystem::path addon = test::source_dir() / "packaging/ha-addon";

TEST(AddonFiles, SchemaOffersExactlyTheOptionsTheConverterReads) {
    EXPECT_EQ(keys_under(addon / "config.yaml", {"schema"}), as_set(addon_option_names()));
    EXPECT_EQ(keys_under(addon / "config.yaml", {"schema", "meters"}), as_set(addon_meter_option_names()));
}

TEST(AddonFiles, DefaultsAreOptionsOfTheSchema) {
    const auto defaults = keys_under(addon / "config.yaml", {"options"});
    EXPECT_FALSE(defaults.empty());
    for (const auto& key : defaults) EXPECT_TRUE(as_set(addon_option_names()).contains(key)) << key;
}

TEST(AddonFiles, EveryOptionHasAnEnglishLabel) {
    const auto en = addon / "translations/en.yaml";
    EXPECT_EQ(keys_under(en, {"configuration"}), as_set(addon_option_names()));
    EXPECT_EQ(keys_under(en, {"configuration", "meters", "fields"}), as_set(addon_meter_option_names()));
    for (const auto& option : addon_option_names())
        EXPECT_TRUE(keys_under(en, {"configuration", std::string(option)}).contains("description")) << option;
}

}  // namespace
}  // namespace kamgw::app
