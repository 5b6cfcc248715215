// Validation of one TOML table against a declarative ConfigKey schema: the same code checks
// a [[sink]] table against its plugin's schema, a meter URL's options against its transport's
// schema, and the core's own [gateway], [[meter]] and [[sink]] keys.
//
// Problems are appended to `issues` (all of them, not just the first); the returned table
// holds what was valid, with defaults applied. For ConfigType::duration, ConfigKey::min and
// ::max are bounds in milliseconds; a duration key without a maximum is held to
// default_duration_max, so no plugin's timer arithmetic meets a value of centuries.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <toml++/toml.h>

#include "core/config/config_errors.hpp"
#include "kamgw/config.hpp"

namespace kamgw::config {

// The longest duration a key without its own maximum accepts: 30 days.
inline constexpr std::int64_t default_duration_max = 30LL * 86'400'000;

// The bounds a value of `key` is checked against (its own, or the defaults above).
std::pair<std::int64_t, std::int64_t> value_bounds(const ConfigKey& key);

struct ValidateOptions {
    // Keys the caller validates itself: listed as accepted, skipped here.
    std::vector<std::string> extra_keys;
    // Do not report keys outside the schema (when the schema is known to be incomplete,
    // e.g. for a sink whose plugin is not loaded).
    bool ignore_unknown = false;
    bool apply_defaults = true;
    // Relative `<key>_file` paths are taken relative to this folder.
    std::filesystem::path base_dir;
    // Every secret file read is added here (when set), so `kamgw check --user` can test them.
    std::vector<std::filesystem::path>* secret_files = nullptr;
    // Where systemd credentials live ($CREDENTIALS_DIRECTORY); nullopt: not used.
    std::optional<std::filesystem::path> credentials_dir;
    // Position for values without one (tables built in code, URL options) and for missing keys
    // when the table itself has no position.
    SourcePosition fallback;
};

ConfigTable validate_table(const toml::table& table, std::span<const ConfigKey> schema, std::string_view table_path,
                           std::vector<ConfigIssue>& issues, const ValidateOptions& options = {});

// The same for string options (a URL's query): each value is first converted to the key's
// declared type ("7" to an integer, "2s" to a duration, "a,b" to a list).
ConfigTable validate_string_options(const std::map<std::string, std::string>& values, std::span<const ConfigKey> schema,
                                    std::string_view table_path, std::vector<ConfigIssue>& issues,
                                    const ValidateOptions& options = {});

// "name, url, interval, …" (secrets also as "<key>_file"), then `extra_keys`.
std::string accepted_keys(std::span<const ConfigKey> schema, const std::vector<std::string>& extra_keys = {});

// What a value of this key must look like: "an integer from 300 to 115200", "'none', 'even' or 'odd'".
std::string describe_accepted(const ConfigKey& key);

// The key's default as a typed value; nullopt when it has none or it does not parse.
std::optional<ConfigValue> parse_default(const ConfigKey& key);

}  // namespace kamgw::config
