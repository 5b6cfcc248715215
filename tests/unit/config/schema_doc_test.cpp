#include <gtest/gtest.h>

#include <toml++/toml.h>

#include "core/config/core_schemas.hpp"
#include "core/config/schema_doc.hpp"
#include "core/config/schema_validator.hpp"
#include "tests/unit/config/test_plugins.hpp"

namespace kamgw::config {
namespace {

using namespace std::literals;

TEST(ConfigSchemaDoc, DocumentsEachKey) {
    const std::string doc = render_schema_doc(test::mqtt_keys);
    EXPECT_NE(doc.find("# broker URL\n# (string, required; accepted: a string)\nurl = \"\"\n"), std::string::npos)
        << doc;
    EXPECT_NE(doc.find("# qos = 1\n"), std::string::npos) << doc;
    EXPECT_NE(doc.find("default 1; accepted: an integer from 0 to 2"), std::string::npos) << doc;
    EXPECT_NE(doc.find("# keepalive = \"60s\"\n"), std::string::npos) << doc;
    EXPECT_NE(doc.find("# password_file = "), std::string::npos) << doc;
    EXPECT_NE(doc.find("# retain = true\n"), std::string::npos) << doc;
}

// "# key = value": a commented-out assignment, not prose that happens to contain " = ".
bool is_commented_assignment(const std::string& line) {
    if (line.rfind("# ", 0) != 0) return false;
    std::size_t i = 2;
    while (i < line.size() &&
           ((line[i] >= 'a' && line[i] <= 'z') || (line[i] >= '0' && line[i] <= '9') || line[i] == '_'))
        ++i;
    return i > 2 && line.compare(i, 3, " = ") == 0;
}

// The rendered snippet is valid TOML, and once its comments are removed from the optional
// keys it validates cleanly against the schema it came from (defaults are valid values).
TEST(ConfigSchemaDoc, SnippetParsesAndValidates) {
    for (auto schema : {std::span<const ConfigKey>(test::mqtt_keys), std::span<const ConfigKey>(test::csv_keys),
                        meter_schema(), sink_core_schema(), gateway_schema()}) {
        const std::string doc = render_schema_doc(schema);
        std::string uncommented;
        std::size_t start = 0;
        while (start < doc.size()) {
            const std::size_t end = doc.find('\n', start);
            std::string line = doc.substr(start, end - start);
            start = end == std::string::npos ? doc.size() : end + 1;
            // Only commented-out assignments ("# key = value"), not prose that contains " = ".
            if (is_commented_assignment(line) && line.find("_file") == std::string::npos) line = line.substr(2);
            uncommented += line + "\n";
        }
        toml::table table;
        ASSERT_NO_THROW(table = toml::parse(uncommented, "doc.toml"sv)) << uncommented;
        std::vector<ConfigIssue> issues;
        ValidateOptions options;
        options.extra_keys = {"registers", "register_intervals"};
        validate_table(table, schema, "", issues, options);
        // Placeholders of required keys may be out of range, but keys with defaults must not be.
        for (const ConfigIssue& issue : issues) {
            const auto key = issue.key;
            bool required = false;
            for (const ConfigKey& k : schema) required |= k.key == key && k.required;
            EXPECT_TRUE(required) << render_issue(issue) << "\n" << uncommented;
        }
    }
}

}  // namespace
}  // namespace kamgw::config
