// [gateway]: later files override single keys, so values are merged key by key and the
// defaults live in GatewayConfig itself rather than being re-applied per file.
#include <algorithm>
#include <cctype>

#include "core/config/core_schemas.hpp"
#include "core/config/load_state.hpp"

namespace kamgw::config::detail {
namespace {

bool valid_gateway_id(std::string_view id) {
    // The id is one MQTT topic level: no '/', '+', '#', no spaces.
    return !id.empty() && std::all_of(id.begin(), id.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
    });
}

bool valid_listen(std::string_view text) {
    const std::size_t colon = text.rfind(':');
    if (colon == std::string_view::npos || colon == 0) return false;
    const std::string_view port = text.substr(colon + 1);
    if (port.empty() || port.size() > 5) return false;
    if (!std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; })) return false;
    const unsigned long value = std::stoul(std::string(port));
    return value <= 65535;
}

SourcePosition value_position(const Document& doc, const toml::table& table, std::string_view key) {
    const toml::node* node = table.get(key);
    return node ? doc.position(node->source()) : doc.position(table.source());
}

}  // namespace

void load_gateway(LoadState& state, const Document& doc, const toml::table& table) {
    ValidateOptions options = doc.validate_options(state, table);
    options.apply_defaults = false;
    const ConfigTable values = validate_table(table, gateway_schema(), "gateway", state.issues, options);
    GatewayConfig& gw = state.config.gateway;
    if (values.has("id")) {
        const std::string& id = values.get_string("id");
        if (valid_gateway_id(id)) {
            gw.id = id;
        } else {
            state.issues.push_back({value_position(doc, table, "id"), "gateway.id",
                                    "\"" + id + "\" cannot be an MQTT topic level",
                                    "letters, digits, '_', '-' and '.'"});
        }
    }
    if (values.has("log_level")) gw.log_level = values.get_string("log_level");
    if (values.has("plugin_dirs")) {
        gw.plugin_dirs.clear();
        for (const std::string& dir : values.get_list("plugin_dirs")) {
            std::filesystem::path path(dir);
            if (path.is_relative()) path = doc.base_dir / path;
            gw.plugin_dirs.push_back(path.lexically_normal());
        }
    }
    if (values.has("state_dir")) {
        gw.state_dir = values.get_string("state_dir");
        gw.state_dir_position = value_position(doc, table, "state_dir");
    }
    if (values.has("metrics_listen")) {
        const std::string& listen = values.get_string("metrics_listen");
        if (listen.empty() || valid_listen(listen)) {
            gw.metrics_listen = listen;
        } else {
            state.issues.push_back({value_position(doc, table, "metrics_listen"), "gateway.metrics_listen",
                                    "\"" + listen + "\" is not host:port",
                                    "\"127.0.0.1:9780\", \"[::1]:9780\", or \"\" for no metrics endpoint"});
        }
    }
    if (values.has("metrics_readings")) gw.metrics_readings = values.get_bool("metrics_readings");
    if (values.has("chart_resolution")) gw.chart_resolution = values.get_duration("chart_resolution");
    if (values.has("metrics_token")) gw.metrics_token = values.get_string("metrics_token");
    if (values.has("status_read_now")) {
        gw.status_read_now = values.get_bool("status_read_now");
        gw.status_read_now_position = value_position(doc, table, "status_read_now");
    }
    if (values.has("shutdown_timeout")) gw.shutdown_timeout = values.get_duration("shutdown_timeout");
    if (values.has("read_now_min_interval")) gw.read_now_min_interval = values.get_duration("read_now_min_interval");
    if (values.has("journal_max_bytes"))
        gw.journal_max_bytes = static_cast<std::uint64_t>(values.get_int("journal_max_bytes"));
    if (values.has("journal_max_age")) gw.journal_max_age = values.get_duration("journal_max_age");
    if (values.has("journal_sync")) gw.journal_sync_interval_policy = values.get_string("journal_sync") == "interval";
    if (values.has("journal_sync_interval")) gw.journal_sync_interval = values.get_duration("journal_sync_interval");
    if (values.has("health_sink_max_delay")) gw.health_sink_max_delay = values.get_duration("health_sink_max_delay");
    if (values.has("journal_memory_max_bytes"))
        gw.journal_memory_max_bytes = static_cast<std::uint64_t>(values.get_int("journal_memory_max_bytes"));
}

void finish_gateway(LoadState& state) {
    const GatewayConfig& gw = state.config.gateway;
    // "read now" costs battery: whoever can reach the page must prove who they are.
    if (gw.status_read_now && gw.metrics_token.empty())
        state.issues.push_back({gw.status_read_now_position, "gateway.status_read_now",
                                "\"read now\" on the status page needs a metrics_token",
                                "set metrics_token (or metrics_token_file), or status_read_now = false"});
}

}  // namespace kamgw::config::detail
