// [[sink]]: the core's lane keys and the plugin's own keys share one table; both are checked
// in one pass so an unknown key lists everything the table accepts.
#include <vector>

#include "core/config/core_schemas.hpp"
#include "core/config/load_state.hpp"
#include "core/config/suggest.hpp"

namespace kamgw::config::detail {
namespace {

bool is_core_key(std::string_view key) {
    for (const ConfigKey& k : sink_core_schema())
        if (k.key == key) return true;
    return false;
}

}  // namespace

void load_sink(LoadState& state, const Document& doc, const toml::table& table) {
    const std::size_t index = state.config.sinks.size();
    const std::string path = "sink[" + std::to_string(index) + "]";
    SinkConfig sink;
    sink.position = doc.position(table.source());

    const PluginDescriptor* plugin = nullptr;
    const toml::node* type_node = table.get("type");
    if (type_node && type_node->is_string()) {
        const std::string type = type_node->value_exact<std::string>().value_or("");
        plugin = state.plugins.sink(type);
        if (!plugin) {
            const std::vector<std::string> known = state.plugins.sink_types();
            std::string message = "no loaded sink plugin is called '" + type + "'";
            if (auto near = close_matches(type, known, 1); !near.empty())
                message += " (did you mean '" + near.front() + "'?)";
            state.issues.push_back(
                {doc.position(type_node->source()), path + ".type", std::move(message),
                 known.empty() ? "no sink plugins are loaded; check [gateway] plugin_dirs" : join(known)});
        }
    }

    std::vector<ConfigKey> schema(sink_core_schema().begin(), sink_core_schema().end());
    if (plugin)
        for (const ConfigKey& key : plugin->config)
            if (!is_core_key(key.key)) schema.push_back(key);

    ValidateOptions options = doc.validate_options(state, table);
    // Without the plugin its keys are unknown to us; only its absence is worth reporting.
    options.ignore_unknown = plugin == nullptr;
    ConfigTable values = validate_table(table, schema, path, state.issues, options);

    if (values.has("type")) sink.type = values.get_string("type");
    if (values.has("name")) {
        const std::string& name = values.get_string("name");
        const toml::node* name_node = table.get("name");
        const SourcePosition where = name_node ? doc.position(name_node->source()) : sink.position;
        if (name.empty()) {
            state.issues.push_back({where, path + ".name", "a sink name cannot be empty", "a non-empty string"});
        } else if (auto it = state.sink_names.find(name); it != state.sink_names.end()) {
            state.issues.push_back({where, path + ".name",
                                    "sink name '" + name + "' is already used at " + it->second.to_string(),
                                    "a name no other [[sink]] uses"});
        } else {
            state.sink_names.emplace(name, where);
            sink.name = name;
        }
    }
    if (values.has("batch_size")) sink.batch_size = static_cast<std::uint32_t>(values.get_int("batch_size"));
    if (values.has("flush_interval")) sink.flush_interval = values.get_duration("flush_interval");
    if (values.has("queue_max_batches"))
        sink.queue_max_batches = static_cast<std::uint32_t>(values.get_int("queue_max_batches"));
    if (values.has("queue_max_bytes"))
        sink.queue_max_bytes = static_cast<std::uint64_t>(values.get_int("queue_max_bytes"));
    if (values.has("retry_initial")) sink.retry_initial = values.get_duration("retry_initial");
    if (values.has("retry_max")) sink.retry_max = values.get_duration("retry_max");
    if (values.has("retry_limit")) sink.retry_limit = static_cast<std::uint32_t>(values.get_int("retry_limit"));
    if (values.has("retry_initial") || values.has("retry_max")) {
        if (sink.retry_max < sink.retry_initial) {
            const toml::node* node = table.get("retry_max");
            state.issues.push_back({node ? doc.position(node->source()) : sink.position, path + ".retry_max",
                                    "retry_max is shorter than retry_initial", "a duration of at least retry_initial"});
        }
    }
    for (const auto& [key, value] : values.values())
        if (!is_core_key(key)) sink.options.set(key, value);
    for (auto&& [key, node] : table) sink.key_positions.emplace(key.str(), doc.position(node.source()));

    state.config.sinks.push_back(std::move(sink));
}

void finish(LoadState& state, const std::string& default_gateway_id) {
    finish_gateway(state);
    if (state.config.gateway.id.empty()) state.config.gateway.id = default_gateway_id;
    // Unnamed sinks are called after their type; a second one of a type gets ".2", and so on,
    // skipping names a [[sink]] took explicitly.
    for (SinkConfig& sink : state.config.sinks) {
        if (!sink.name.empty() || sink.type.empty()) continue;
        int& count = state.sinks_per_type[sink.type];
        std::string name;
        do {
            ++count;
            name = count == 1 ? sink.type : sink.type + "." + std::to_string(count);
        } while (state.sink_names.count(name));
        state.sink_names.emplace(name, sink.position);
        sink.name = std::move(name);
    }
}

}  // namespace kamgw::config::detail
