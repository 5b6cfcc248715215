// What the loader carries from one file to the next: the configuration so far, the issues
// found so far and the names already taken (for "already defined at …").
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <toml++/toml.h>

#include "core/config/config.hpp"
#include "core/config/config_errors.hpp"
#include "core/config/plugin_schemas.hpp"
#include "core/config/schema_validator.hpp"

namespace kamgw::config::detail {

struct LoadState {
    const PluginSchemas& plugins;
    std::optional<std::filesystem::path> credentials_dir;
    Config config;
    std::vector<ConfigIssue> issues;
    std::map<std::string, SourcePosition, std::less<>> meter_names;
    std::map<std::string, SourcePosition, std::less<>> sink_names;
    std::map<std::string, int, std::less<>> sinks_per_type;
};

// One parsed document, from the file `source` whose relative paths start at `base_dir`.
struct Document {
    const toml::table& root;
    std::string source;
    std::filesystem::path base_dir;

    [[nodiscard]] SourcePosition position(const toml::source_region& region) const;
    [[nodiscard]] SourcePosition start() const { return {source, 1, 1}; }
    [[nodiscard]] ValidateOptions validate_options(LoadState& state, const toml::node& table) const;
};

void load_gateway(LoadState& state, const Document& doc, const toml::table& table);
// Checks across [gateway] keys, once every file is read (a later file may set the other key).
void finish_gateway(LoadState& state);
void load_meter(LoadState& state, const Document& doc, const toml::table& table);
void load_sink(LoadState& state, const Document& doc, const toml::table& table);

// After all files: defaults that depend on everything (gateway id, sink names).
void finish(LoadState& state, const std::string& default_gateway_id);

}  // namespace kamgw::config::detail
