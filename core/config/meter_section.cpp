// [[meter]]: the plain keys go through the schema; the URL is taken apart and its options
// checked against the transport plugin that serves its scheme; registers are resolved
// against the KMP register catalogue.
#include <algorithm>
#include <set>
#include <stdexcept>

#include "core/config/core_schemas.hpp"
#include "core/config/load_state.hpp"
#include "core/config/duration.hpp"
#include "core/config/meter_url.hpp"
#include "core/config/suggest.hpp"
#include "core/kmp/register_catalogue.hpp"

namespace kamgw::config::detail {
namespace {

constexpr std::string_view url_forms =
    "a device path such as \"/dev/serial/by-id/…\", or \"socket://host:port\", \"tcp://host:port\", "
    "\"rfc2217://host:port\", \"sim://model\"";

bool valid_meter_name(std::string_view name) {
    return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    });
}

std::vector<std::string> catalogue_keys() {
    std::vector<std::string> keys;
    for (const RegisterInfo& info : kmp::register_catalogue()) keys.emplace_back(info.key);
    return keys;
}

const ConfigKey& interval_key() {
    for (const ConfigKey& key : meter_schema())
        if (key.key == "interval") return key;
    throw std::logic_error("the meter schema has no interval key");
}

struct MeterLoader {
    LoadState& state;
    const Document& doc;
    const toml::table& table;
    std::string path;
    MeterConfig& meter;

    void issue(const toml::node* node, std::string_view key, std::string message, std::string accepted) {
        state.issues.push_back({node ? doc.position(node->source()) : meter.position, path + "." + std::string(key),
                                std::move(message), std::move(accepted)});
    }

    void name(const ConfigTable& values) {
        if (!values.has("name")) return;
        const std::string& name = values.get_string("name");
        const toml::node* node = table.get("name");
        if (!valid_meter_name(name)) {
            issue(node, "name", "\"" + name + "\" is not a valid meter name",
                  "letters, digits, '_' and '-' ([A-Za-z0-9_-]+)");
            return;
        }
        const SourcePosition where = doc.position(node->source());
        if (auto it = state.meter_names.find(name); it != state.meter_names.end()) {
            issue(node, "name", "meter name '" + name + "' is already defined at " + it->second.to_string(),
                  "a name no other [[meter]] uses");
            return;
        }
        state.meter_names.emplace(name, where);
        meter.name = name;
    }

    void url(const ConfigTable& values) {
        if (!values.has("url")) return;
        meter.url = values.get_string("url");
        const toml::node* node = table.get("url");
        meter.url_position = doc.position(node->source());
        std::string why;
        auto endpoint = parse_endpoint(meter.url, &why);
        if (!endpoint) {
            issue(node, "url", "bad meter URL: " + why, std::string(url_forms));
            return;
        }
        const PluginDescriptor* transport = state.plugins.transport_for_scheme(endpoint->scheme);
        if (!transport) {
            const std::vector<std::string> schemes = state.plugins.url_schemes();
            std::string message = "no loaded transport plugin serves the URL scheme '" + endpoint->scheme + "'";
            if (endpoint->scheme == "serial") message = "no loaded transport plugin serves serial device paths";
            if (auto near = close_matches(endpoint->scheme, schemes, 1); !near.empty())
                message += " (did you mean '" + near.front() + "'?)";
            issue(node, "url", std::move(message),
                  schemes.empty() ? "no transport plugins are loaded; check [gateway] plugin_dirs"
                                  : "URLs with the schemes " + join(schemes));
        } else {
            ValidateOptions options = doc.validate_options(state, table);
            options.fallback = doc.position(node->source());
            meter.transport_options =
                validate_string_options(endpoint->query, transport->config, path + ".url", state.issues, options);
        }
        meter.endpoint = std::move(*endpoint);
    }

    void line(const ConfigTable& values) {
        meter.line.baud = static_cast<unsigned>(values.get_int("baud"));
        meter.line.data_bits = static_cast<unsigned>(values.get_int("data_bits"));
        meter.line.stop_bits = static_cast<unsigned>(values.get_int("stop_bits"));
        const std::string& parity = values.get_string("parity");
        meter.line.parity = parity == "even" ? 'E' : parity == "odd" ? 'O' : 'N';
    }

    std::optional<RegisterInfo> resolve(const toml::node& element) {
        std::string token;
        if (auto i = element.value_exact<std::int64_t>()) {
            if (*i < 0 || *i > 0xFFFF) {
                issue(&element, "registers", "register id " + std::to_string(*i) + " is out of range",
                      "a register key or an id from 0 to 65535");
                return std::nullopt;
            }
            token = std::to_string(*i);
        } else if (auto s = element.value_exact<std::string>()) {
            token = *s;
        } else {
            issue(&element, "registers", "expected a register key or id",
                  "a register key such as \"heat_energy\" "
                  "or a numeric id such as 60");
            return std::nullopt;
        }
        if (auto info = kmp::resolve_register(token)) return info;
        std::string message = "unknown register '" + token + "'";
        const auto near = close_matches(token, catalogue_keys(), 3);
        if (!near.empty()) message += " (did you mean " + quoted_alternatives(near) + "?)";
        issue(&element, "registers", std::move(message),
              "a key from `kamgw registers` (e.g. heat_energy, volume, flow, t_forward) or a numeric id");
        return std::nullopt;
    }

    void registers() {
        const toml::node* node = table.get("registers");
        if (!node) {
            for (std::uint16_t id : kmp::default_registers())
                if (const RegisterInfo* info = kmp::find_register(id)) meter.registers.push_back({*info, {}});
            return;
        }
        const toml::array* list = node->as_array();
        if (!list) {
            issue(node, "registers", "expected a list", "a list such as [\"heat_energy\", \"volume\", 60]");
            return;
        }
        if (list->empty()) {
            issue(node, "registers", "the list is empty, so nothing would be read",
                  "a list of register keys or ids; leave the key out to read the default registers");
            return;
        }
        std::set<std::uint16_t> seen;
        for (const toml::node& element : *list) {
            auto info = resolve(element);
            if (!info) continue;
            if (!seen.insert(info->id).second) {
                issue(&element, "registers", "register '" + std::string(info->key) + "' is listed twice",
                      "each register once");
                continue;
            }
            meter.registers.push_back({*info, {}});
        }
    }

    void register_intervals() {
        const toml::node* node = table.get("register_intervals");
        if (!node) return;
        const toml::table* intervals = node->as_table();
        if (!intervals) {
            issue(node, "register_intervals", "expected a table", "an inline table such as { t_forward = \"10min\" }");
            return;
        }
        std::vector<std::string> configured;
        for (const RegisterSchedule& r : meter.registers) configured.emplace_back(r.info.key);
        for (auto&& [key, value] : *intervals) {
            const std::string key_path = "register_intervals." + std::string(key.str());
            auto info = kmp::resolve_register(key.str());
            auto it = std::find_if(meter.registers.begin(), meter.registers.end(),
                                   [&](const RegisterSchedule& r) { return info && r.info.id == info->id; });
            if (it == meter.registers.end()) {
                std::string message = "'" + std::string(key.str()) + "' is not one of this meter's registers";
                if (auto near = close_matches(key.str(), configured, 1); !near.empty())
                    message += " (did you mean '" + near.front() + "'?)";
                state.issues.push_back(
                    {doc.position(key.source()), path + "." + key_path, std::move(message), join(configured)});
                continue;
            }
            auto text = value.value_exact<std::string>();
            std::string why = "expected a duration string";
            auto every = text ? parse_duration(*text, &why) : std::nullopt;
            if (!every) {
                state.issues.push_back({doc.position(value.source()), path + "." + key_path, "bad duration: " + why,
                                        std::string(duration_syntax)});
                continue;
            }
            // A register's cadence has the range of the meter's interval: the same battery and
            // the same schedule arithmetic.
            const ConfigKey& bounds = interval_key();
            const auto [min, max] = value_bounds(bounds);
            if (every->count() < min || every->count() > max) {
                state.issues.push_back({doc.position(value.source()), path + "." + key_path,
                                        "duration " + format_duration(*every) + " is out of range",
                                        describe_accepted(bounds)});
                continue;
            }
            it->every = *every;
        }
    }

    // Registers the status page charts besides power and flow.
    void chart() {
        const toml::node* node = table.get("chart");
        if (!node) return;
        const toml::array* list = node->as_array();
        if (!list) {
            issue(node, "chart", "expected a list", "a list of this meter's register keys, such as [\"t_forward\"]");
            return;
        }
        std::vector<std::string> configured;
        for (const RegisterSchedule& r : meter.registers) configured.emplace_back(r.info.key);
        for (const toml::node& element : *list) {
            auto info = resolve(element);
            if (!info) continue;
            const bool read = std::any_of(meter.registers.begin(), meter.registers.end(),
                                          [&](const RegisterSchedule& r) { return r.info.id == info->id; });
            if (!read) {
                issue(&element, "chart", "'" + std::string(info->key) + "' is not one of this meter's registers",
                      join(configured));
                continue;
            }
            if (std::find(meter.chart.begin(), meter.chart.end(), info->key) == meter.chart.end())
                meter.chart.emplace_back(info->key);
        }
    }
};

}  // namespace

void load_meter(LoadState& state, const Document& doc, const toml::table& table) {
    MeterConfig meter;
    meter.position = doc.position(table.source());
    MeterLoader loader{state, doc, table, "meter[" + std::to_string(state.config.meters.size()) + "]", meter};

    ValidateOptions options = doc.validate_options(state, table);
    for (std::string_view extra : meter_extra_keys()) options.extra_keys.emplace_back(extra);
    const ConfigTable values = validate_table(table, meter_schema(), loader.path, state.issues, options);

    loader.name(values);
    loader.url(values);
    // The remaining keys have defaults, so they are present unless their value was bad.
    if (values.has("interval")) meter.interval = values.get_duration("interval");
    if (values.has("align")) meter.align = values.get_bool("align");
    if (values.has("timeout")) meter.timeout = values.get_duration("timeout");
    if (values.has("inter_byte_timeout")) meter.inter_byte_timeout = values.get_duration("inter_byte_timeout");
    if (values.has("address")) meter.address = static_cast<std::uint8_t>(values.get_int("address"));
    if (values.has("model")) meter.model = values.get_string("model");
    if (values.has("baud") && values.has("data_bits") && values.has("stop_bits") && values.has("parity"))
        loader.line(values);
    loader.registers();
    loader.register_intervals();
    loader.chart();
    meter.line_group = values.has("line_group") && !values.get_string("line_group").empty()
                           ? values.get_string("line_group")
                           : default_line_group(meter.endpoint);

    state.config.meters.push_back(std::move(meter));
}

}  // namespace kamgw::config::detail
