#include "core/config/schema_validator.hpp"

#include <algorithm>
#include <charconv>
#include <system_error>

#include "core/config/bounded_file.hpp"
#include "core/config/duration.hpp"
#include "core/config/redact.hpp"
#include "core/config/suggest.hpp"

namespace kamgw::config {
namespace {

constexpr std::string_view file_suffix = "_file";

std::string key_path(std::string_view table_path, std::string_view key) {
    if (table_path.empty()) return std::string(key);
    return std::string(table_path) + "." + std::string(key);
}

SourcePosition position_of(const toml::source_region& region, const SourcePosition& fallback) {
    if (region.begin.line == 0) return fallback;
    SourcePosition p;
    p.file = region.path && !region.path->empty() ? *region.path : fallback.file;
    p.line = region.begin.line;
    p.column = region.begin.column;
    return p;
}

std::string_view toml_type_name(const toml::node& node) {
    switch (node.type()) {
        case toml::node_type::string:
            return "a string";
        case toml::node_type::integer:
            return "an integer";
        case toml::node_type::floating_point:
            return "a floating-point number";
        case toml::node_type::boolean:
            return "a boolean";
        case toml::node_type::date:
            return "a date";
        case toml::node_type::time:
            return "a time";
        case toml::node_type::date_time:
            return "a date-time";
        case toml::node_type::array:
            return "an array";
        case toml::node_type::table:
            return "a table";
        case toml::node_type::none:
            break;
    }
    return "nothing";
}

std::string bound_text(const ConfigKey& key) {
    auto show = [&](std::int64_t v) {
        return key.type == ConfigType::duration ? format_duration(std::chrono::milliseconds{v}) : std::to_string(v);
    };
    const auto [min, max] = value_bounds(key);
    const bool has_min = min != INT64_MIN, has_max = max != INT64_MAX;
    if (has_min && has_max) return "from " + show(min) + " to " + show(max);
    if (has_min) return "of at least " + show(min);
    if (has_max) return "of at most " + show(max);
    return "";
}

std::vector<std::string> split_choices(std::string_view choices) {
    std::vector<std::string> out;
    while (!choices.empty()) {
        const std::size_t bar = choices.find('|');
        out.emplace_back(choices.substr(0, bar));
        if (bar == std::string_view::npos) break;
        choices.remove_prefix(bar + 1);
    }
    return out;
}

struct Checker {
    std::span<const ConfigKey> schema;
    std::string_view table_path;
    std::vector<ConfigIssue>& issues;
    const ValidateOptions& options;

    void issue(const SourcePosition& where, std::string_view key, std::string message, std::string accepted) {
        issues.push_back({where, key_path(table_path, key), std::move(message), std::move(accepted)});
    }

    // Checks one value against its key; returns the typed value or nullopt (issue recorded).
    std::optional<ConfigValue> convert(const ConfigKey& key, const toml::node& node, const SourcePosition& where) {
        auto wrong_type = [&](std::string extra = {}) -> std::optional<ConfigValue> {
            std::string message =
                "expected " + std::string(article_type(key)) + ", got " + std::string(toml_type_name(node));
            if (!extra.empty()) message += "; " + extra;
            issue(where, key.key, std::move(message), describe_accepted(key));
            return std::nullopt;
        };
        switch (key.type) {
            case ConfigType::boolean:
                if (auto v = node.value_exact<bool>()) return ConfigValue{*v};
                return wrong_type();
            case ConfigType::integer: {
                auto v = node.value_exact<std::int64_t>();
                if (!v) return wrong_type();
                if (*v < key.min || *v > key.max) {
                    issue(where, key.key, std::to_string(*v) + " is out of range", describe_accepted(key));
                    return std::nullopt;
                }
                return ConfigValue{*v};
            }
            case ConfigType::number:
                if (auto i = node.value_exact<std::int64_t>()) return ConfigValue{static_cast<double>(*i)};
                if (auto d = node.value_exact<double>()) return ConfigValue{*d};
                return wrong_type();
            case ConfigType::duration: {
                if (auto i = node.value_exact<std::int64_t>())
                    return wrong_type("a duration needs a unit: write \"" + std::to_string(*i) + "s\" or \"" +
                                      std::to_string(*i) + "min\"");
                auto s = node.value_exact<std::string>();
                if (!s) return wrong_type();
                std::string why;
                auto d = parse_duration(*s, &why);
                if (!d) {
                    issue(where, key.key, "bad duration \"" + *s + "\": " + why, describe_accepted(key));
                    return std::nullopt;
                }
                const auto [min, max] = value_bounds(key);
                if (d->count() < min || d->count() > max) {
                    issue(where, key.key, "duration " + format_duration(*d) + " is out of range",
                          describe_accepted(key));
                    return std::nullopt;
                }
                return ConfigValue{*d};
            }
            case ConfigType::string_list: {
                const toml::array* array = node.as_array();
                if (!array) return wrong_type();
                std::vector<std::string> list;
                bool ok = true;
                for (const toml::node& element : *array) {
                    if (auto s = element.value_exact<std::string>()) {
                        list.push_back(*s);
                    } else {
                        issue(position_of(element.source(), where), key.key,
                              "list element is " + std::string(toml_type_name(element)) + ", expected a string",
                              describe_accepted(key));
                        ok = false;
                    }
                }
                if (!ok) return std::nullopt;
                return ConfigValue{std::move(list)};
            }
            case ConfigType::choice: {
                auto s = node.value_exact<std::string>();
                if (!s) return wrong_type();
                const std::vector<std::string> choices = split_choices(key.choices);
                for (const std::string& c : choices)
                    if (c == *s) return ConfigValue{*s};
                std::string message = "\"" + *s + "\" is not a valid choice";
                if (auto near = close_matches(*s, choices, 1); !near.empty())
                    message += " (did you mean '" + near.front() + "'?)";
                issue(where, key.key, std::move(message), describe_accepted(key));
                return std::nullopt;
            }
            case ConfigType::string:
            case ConfigType::path:
            case ConfigType::secret:
                if (auto s = node.value_exact<std::string>()) {
                    // A password written into a URL is as secret as one in a password key.
                    if (key.type == ConfigType::secret)
                        remember_secret(*s);
                    else
                        remember_secret(url_credential(*s));
                    return ConfigValue{*s};
                }
                return wrong_type();
        }
        return wrong_type();
    }

    static std::string_view article_type(const ConfigKey& key) {
        switch (key.type) {
            case ConfigType::boolean:
                return "a boolean";
            case ConfigType::integer:
                return "an integer";
            case ConfigType::number:
                return "a number";
            case ConfigType::duration:
                return "a duration string";
            case ConfigType::string_list:
                return "a list of strings";
            case ConfigType::choice:
                return "one of the choices as a string";
            case ConfigType::path:
                return "a path string";
            case ConfigType::secret:
            case ConfigType::string:
                break;
        }
        return "a string";
    }

    // A secret from `<key>`, `<key>_file` or the systemd credential `<key>`.
    void secret(const ConfigKey& key, const toml::table& table, const SourcePosition& table_pos, ConfigTable& out) {
        const std::string file_key = std::string(key.key) + std::string(file_suffix);
        const toml::node* direct = table.get(key.key);
        const toml::node* via_file = table.get(file_key);
        if (direct && via_file) {
            issue(position_of(via_file->source(), table_pos), file_key,
                  "give either '" + std::string(key.key) + "' or '" + file_key + "', not both",
                  "one of '" + std::string(key.key) + "', '" + file_key + "'");
            return;
        }
        if (direct) {
            if (auto v = convert(key, *direct, position_of(direct->source(), table_pos)))
                out.set(std::string(key.key), *v);
            return;
        }
        if (via_file) {
            const SourcePosition where = position_of(via_file->source(), table_pos);
            auto name = via_file->value_exact<std::string>();
            if (!name || name->empty()) {
                issue(where, file_key, "expected a path string, got " + std::string(toml_type_name(*via_file)),
                      "a path to a file whose first line is the secret");
                return;
            }
            std::filesystem::path file(*name);
            if (file.is_relative() && !options.base_dir.empty()) file = options.base_dir / file;
            if (options.secret_files) options.secret_files->push_back(file);
            FileText value = read_secret_file(file);
            if (!value.ok()) {
                issue(
                    where, file_key, std::move(value.error),
                    "a readable file of at most " + format_size(secret_file_limit) + " whose first line is the secret");
                return;
            }
            remember_secret(value.text);
            out.set(std::string(key.key), std::move(value.text));
            return;
        }
        if (options.credentials_dir && !options.credentials_dir->empty()) {
            const std::filesystem::path credential = *options.credentials_dir / std::string(key.key);
            std::error_code ec;
            // An absent credential is fine (the key may be optional); one that is there must be usable.
            if (std::filesystem::symlink_status(credential, ec).type() != std::filesystem::file_type::not_found &&
                !ec) {
                FileText value = read_secret_file(credential, "systemd credential");
                if (value.ok()) {
                    remember_secret(value.text);
                    out.set(std::string(key.key), std::move(value.text));
                    return;
                }
                issue(table_pos, key.key, std::move(value.error), "a readable credential file");
                return;
            }
        }
        missing_or_default(key, table_pos, out);
    }

    void missing_or_default(const ConfigKey& key, const SourcePosition& table_pos, ConfigTable& out) {
        if (key.required) {
            std::string message = "required key '" + std::string(key.key) + "' is missing";
            if (key.type == ConfigType::secret)
                message += " (set it, or '" + std::string(key.key) + std::string(file_suffix) +
                           "', or the systemd credential '" + std::string(key.key) + "')";
            issue(table_pos, key.key, std::move(message), describe_accepted(key));
            return;
        }
        if (!options.apply_defaults || key.default_value.empty()) return;
        if (auto v = parse_default(key)) {
            out.set(std::string(key.key), std::move(*v));
        } else {
            issue(table_pos, key.key,
                  "the schema's default \"" + std::string(key.default_value) + "\" is not " +
                      std::string(article_type(key)) + " (a plugin bug)",
                  describe_accepted(key));
        }
    }

    const ConfigKey* find_key(std::string_view name) const {
        for (const ConfigKey& k : schema)
            if (k.key == name) return &k;
        return nullptr;
    }

    bool known(std::string_view name) const {
        if (find_key(name)) return true;
        for (const std::string& extra : options.extra_keys)
            if (extra == name) return true;
        if (name.size() > file_suffix.size() && name.ends_with(file_suffix)) {
            const ConfigKey* base = find_key(name.substr(0, name.size() - file_suffix.size()));
            return base && base->type == ConfigType::secret;
        }
        return false;
    }

    std::vector<std::string> accepted_list() const {
        std::vector<std::string> out;
        for (const ConfigKey& k : schema) {
            out.emplace_back(k.key);
            if (k.type == ConfigType::secret) out.push_back(std::string(k.key) + std::string(file_suffix));
        }
        for (const std::string& extra : options.extra_keys) out.push_back(extra);
        return out;
    }

    ConfigTable run(const toml::table& table) {
        ConfigTable out;
        const SourcePosition table_pos = position_of(table.source(), options.fallback);
        if (!options.ignore_unknown) {
            const std::vector<std::string> accepted = accepted_list();
            for (auto&& [name, node] : table) {
                if (known(name.str())) continue;
                std::string message = "unknown key '" + std::string(name.str()) + "'";
                if (auto near = close_matches(name.str(), accepted, 1); !near.empty())
                    message += " (did you mean '" + near.front() + "'?)";
                issues.push_back({position_of(name.source(), position_of(node.source(), table_pos)),
                                  key_path(table_path, name.str()), std::move(message), join(accepted)});
            }
        }
        for (const ConfigKey& key : schema) {
            if (std::find(options.extra_keys.begin(), options.extra_keys.end(), key.key) != options.extra_keys.end())
                continue;
            if (key.type == ConfigType::secret) {
                secret(key, table, table_pos, out);
                continue;
            }
            const toml::node* node = table.get(key.key);
            if (!node) {
                missing_or_default(key, table_pos, out);
                continue;
            }
            if (auto v = convert(key, *node, position_of(node->source(), table_pos))) out.set(std::string(key.key), *v);
        }
        return out;
    }
};

// "7" -> 7 for an integer key, "a,b" -> ["a","b"] for a list; nullopt when the text does not fit.
std::optional<toml::table> convert_options(const std::map<std::string, std::string>& values,
                                           std::span<const ConfigKey> schema, std::string_view table_path,
                                           std::vector<ConfigIssue>& issues, const SourcePosition& where) {
    toml::table table;
    // Plain references rather than a structured binding: the lambda below captures them, which
    // clang before 16 (the fuzz build's) does not allow for bindings.
    for (const auto& entry : values) {
        const std::string& name = entry.first;
        const std::string& text = entry.second;
        const ConfigKey* key = nullptr;
        for (const ConfigKey& k : schema)
            if (k.key == name) key = &k;
        const ConfigType type = key ? key->type : ConfigType::string;
        auto bad = [&](std::string_view what) {
            issues.push_back({where, key_path(table_path, name), "\"" + text + "\" is not " + std::string(what),
                              key ? describe_accepted(*key) : std::string{}});
        };
        switch (type) {
            case ConfigType::boolean:
                if (text == "true" || text == "1" || text == "yes" || text == "on")
                    table.insert(name, true);
                else if (text == "false" || text == "0" || text == "no" || text == "off")
                    table.insert(name, false);
                else
                    bad("a boolean");
                break;
            case ConfigType::integer: {
                std::int64_t v = 0;
                auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
                if (ec == std::errc{} && end == text.data() + text.size())
                    table.insert(name, v);
                else
                    bad("an integer");
                break;
            }
            case ConfigType::number: {
                double v = 0;
                auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
                if (ec == std::errc{} && end == text.data() + text.size())
                    table.insert(name, v);
                else
                    bad("a number");
                break;
            }
            case ConfigType::string_list: {
                toml::array list;
                std::string_view rest = text;
                while (!rest.empty()) {
                    const std::size_t comma = rest.find(',');
                    list.push_back(std::string(rest.substr(0, comma)));
                    if (comma == std::string_view::npos) break;
                    rest.remove_prefix(comma + 1);
                }
                table.insert(name, std::move(list));
                break;
            }
            default:
                table.insert(name, text);
                break;
        }
    }
    return table;
}

}  // namespace

std::pair<std::int64_t, std::int64_t> value_bounds(const ConfigKey& key) {
    if (key.type != ConfigType::duration) return {key.min, key.max};
    return {std::max<std::int64_t>(key.min, 0), key.max == INT64_MAX ? default_duration_max : key.max};
}

ConfigTable validate_table(const toml::table& table, std::span<const ConfigKey> schema, std::string_view table_path,
                           std::vector<ConfigIssue>& issues, const ValidateOptions& options) {
    Checker checker{schema, table_path, issues, options};
    return checker.run(table);
}

ConfigTable validate_string_options(const std::map<std::string, std::string>& values, std::span<const ConfigKey> schema,
                                    std::string_view table_path, std::vector<ConfigIssue>& issues,
                                    const ValidateOptions& options) {
    auto table = convert_options(values, schema, table_path, issues, options.fallback);
    // Keys whose text did not convert were reported already; validate the rest as if absent.
    return validate_table(*table, schema, table_path, issues, options);
}

std::string accepted_keys(std::span<const ConfigKey> schema, const std::vector<std::string>& extra_keys) {
    std::vector<std::string> out;
    for (const ConfigKey& k : schema) {
        out.emplace_back(k.key);
        if (k.type == ConfigType::secret) out.push_back(std::string(k.key) + std::string(file_suffix));
    }
    out.insert(out.end(), extra_keys.begin(), extra_keys.end());
    return join(out);
}

std::string describe_accepted(const ConfigKey& key) {
    const std::string bounds = bound_text(key);
    switch (key.type) {
        case ConfigType::boolean:
            return "true or false";
        case ConfigType::integer:
            return bounds.empty() ? "an integer" : "an integer " + bounds;
        case ConfigType::number:
            return "a number";
        case ConfigType::duration:
            return std::string(duration_syntax) + (bounds.empty() ? "" : ", " + bounds);
        case ConfigType::string_list:
            return "a list of strings, e.g. [\"a\", \"b\"]";
        case ConfigType::choice:
            return quoted_alternatives(split_choices(key.choices));
        case ConfigType::path:
            return "a path string";
        case ConfigType::secret:
            return "a string, or " + std::string(key.key) + std::string(file_suffix) +
                   " = \"/path/to/file\" whose first line is the secret";
        case ConfigType::string:
            break;
    }
    return "a string";
}

std::optional<ConfigValue> parse_default(const ConfigKey& key) {
    const std::string_view text = key.default_value;
    if (text.empty()) return std::nullopt;
    switch (key.type) {
        case ConfigType::boolean:
            if (text == "true") return ConfigValue{true};
            if (text == "false") return ConfigValue{false};
            return std::nullopt;
        case ConfigType::integer: {
            std::int64_t v = 0;
            auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
            if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
            return ConfigValue{v};
        }
        case ConfigType::number: {
            double v = 0;
            auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
            if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
            return ConfigValue{v};
        }
        case ConfigType::duration:
            if (auto d = parse_duration(text)) return ConfigValue{*d};
            return std::nullopt;
        case ConfigType::string_list: {
            // Written either as a TOML array or as "a,b".
            if (text.front() == '[') {
                try {
                    const toml::table t = toml::parse("v = " + std::string(text), std::string_view{});
                    const toml::array* a = t.get_as<toml::array>("v");
                    if (!a) return std::nullopt;
                    std::vector<std::string> list;
                    for (const toml::node& n : *a) {
                        auto s = n.value_exact<std::string>();
                        if (!s) return std::nullopt;
                        list.push_back(*s);
                    }
                    return ConfigValue{std::move(list)};
                } catch (const toml::parse_error&) {
                    return std::nullopt;
                }
            }
            std::vector<std::string> list;
            std::string_view rest = text;
            while (!rest.empty()) {
                const std::size_t comma = rest.find(',');
                list.emplace_back(rest.substr(0, comma));
                if (comma == std::string_view::npos) break;
                rest.remove_prefix(comma + 1);
            }
            return ConfigValue{std::move(list)};
        }
        case ConfigType::choice: {
            for (const std::string& c : split_choices(key.choices))
                if (c == text) return ConfigValue{c};
            return std::nullopt;
        }
        case ConfigType::string:
        case ConfigType::path:
        case ConfigType::secret:
            break;
    }
    return ConfigValue{std::string(text)};
}

}  // namespace kamgw::config
