// Fuzz body for the configuration loader: any text as a kamgw.toml goes through the TOML
// parser and the whole schema validation (core tables, sink and transport schemas, meter URLs,
// registers, durations, secret files). The outcome must be a Config or ConfigErrors whose every
// issue has a message and a position inside the text; any other exception is a bug.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/config/config_loader.hpp"
#include "tests/unit/config/test_plugins.hpp"

namespace {

void check(bool condition) {
    if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const kamgw::config::StaticPluginSchemas plugins = kamgw::config::test::all_plugins();
    const std::string text(reinterpret_cast<const char*>(data), size);
    kamgw::config::LoadOptions options;
    options.default_gateway_id = "fuzz";
    options.credentials_dir = std::filesystem::path{};
    const auto lines = static_cast<std::uint32_t>(std::count(text.begin(), text.end(), '\n') + 1);
    try {
        (void)kamgw::config::load_config_text(text, "fuzz.toml", plugins, options);
    } catch (const kamgw::config::ConfigErrors& e) {
        check(!e.issues().empty());
        for (const auto& issue : e.issues()) {
            check(!issue.message.empty());
            // Secret files named in the text report their own path; everything else points into it.
            if (issue.where.file != "fuzz.toml") continue;
            check(issue.where.line >= 1 && issue.where.line <= lines);
        }
    }
    return 0;
}
