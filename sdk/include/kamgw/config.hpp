// Declarative configuration for plugins.
//
// A plugin lists the keys it accepts in a ConfigKey table. kamgw validates the plugin's
// TOML table against it (unknown keys, types, required keys, choices), fills in defaults,
// prints it in `kamgw plugins` and in the docs. The plugin then reads typed values from
// a ConfigTable and never parses TOML itself.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace kamgw {

enum class ConfigType : std::uint8_t {
    boolean,
    integer,
    number,  // integer or float in TOML, read as double
    string,
    duration,     // "90s", "10min", "1h", "500ms", "1d"; read as milliseconds
    string_list,  // ["a", "b"]
    secret,       // a string that is never logged; also accepted as <key>_file (the file's
                  // first line) or from a systemd credential of that name
    path,         // a file or folder path
    choice,       // one of `choices`, separated by '|'
};

constexpr std::string_view config_type_name(ConfigType t) {
    switch (t) {
        case ConfigType::boolean:
            return "boolean";
        case ConfigType::integer:
            return "integer";
        case ConfigType::number:
            return "number";
        case ConfigType::string:
            return "string";
        case ConfigType::duration:
            return "duration";
        case ConfigType::string_list:
            return "list of strings";
        case ConfigType::secret:
            return "secret";
        case ConfigType::path:
            return "path";
        case ConfigType::choice:
            return "choice";
    }
    return "string";
}

// Every member has a default, so a designated initializer may leave any out without a
// -Wmissing-field-initializers warning.
struct ConfigKey {
    std::string_view key{};
    ConfigType type = ConfigType::string;
    std::string_view default_value{};  // as it would be written in TOML without quotes; empty: no default
    bool required = false;
    std::string_view doc{};        // one line
    std::string_view choices{};    // for ConfigType::choice: "a|b|c"
    std::int64_t min = INT64_MIN;  // bounds for integer keys
    std::int64_t max = INT64_MAX;
};

using ConfigValue = std::variant<std::monostate, bool, std::int64_t, double, std::string, std::chrono::milliseconds,
                                 std::vector<std::string>>;

class ConfigError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Validated values of one plugin instance. Defaults are already applied; a key that is
// neither set nor defaulted is absent (has() is false).
class ConfigTable {
public:
    void set(std::string key, ConfigValue value) { values_[std::move(key)] = std::move(value); }

    [[nodiscard]] bool has(std::string_view key) const { return find(key) != nullptr; }

    [[nodiscard]] bool get_bool(std::string_view key) const { return get<bool>(key); }
    [[nodiscard]] std::int64_t get_int(std::string_view key) const { return get<std::int64_t>(key); }
    [[nodiscard]] double get_number(std::string_view key) const {
        const ConfigValue* v = find(key);
        if (v && std::holds_alternative<std::int64_t>(*v)) return static_cast<double>(std::get<std::int64_t>(*v));
        return get<double>(key);
    }
    // Strings, paths, choices and secrets.
    [[nodiscard]] const std::string& get_string(std::string_view key) const { return get<std::string>(key); }
    [[nodiscard]] std::string get_string_or(std::string_view key, std::string fallback) const {
        return has(key) ? get_string(key) : fallback;
    }
    [[nodiscard]] std::chrono::milliseconds get_duration(std::string_view key) const {
        return get<std::chrono::milliseconds>(key);
    }
    [[nodiscard]] const std::vector<std::string>& get_list(std::string_view key) const {
        return get<std::vector<std::string>>(key);
    }

    [[nodiscard]] const std::map<std::string, ConfigValue, std::less<>>& values() const { return values_; }

private:
    [[nodiscard]] const ConfigValue* find(std::string_view key) const {
        auto it = values_.find(key);
        if (it == values_.end() || std::holds_alternative<std::monostate>(it->second)) return nullptr;
        return &it->second;
    }
    template <typename T>
    [[nodiscard]] const T& get(std::string_view key) const {
        const ConfigValue* v = find(key);
        if (!v) throw ConfigError("configuration key '" + std::string(key) + "' is not set");
        if (const T* t = std::get_if<T>(v)) return *t;
        throw ConfigError("configuration key '" + std::string(key) + "' has another type");
    }

    std::map<std::string, ConfigValue, std::less<>> values_;
};

}  // namespace kamgw
