#include "core/config/config_summary.hpp"

#include <cstdio>
#include <sstream>
#include <variant>

#include "core/config/duration.hpp"
#include "core/config/meter_url.hpp"

namespace kamgw::config {
namespace {

std::string quoted(const std::string& s) { return "\"" + redact_url(s) + "\""; }

bool is_secret(const PluginDescriptor* plugin, std::string_view key) {
    if (!plugin) return true;  // unknown schema: show nothing that might be a secret
    for (const ConfigKey& k : plugin->config)
        if (k.key == key) return k.type == ConfigType::secret;
    return true;
}

std::string options_line(const ConfigTable& options, const PluginDescriptor* plugin) {
    std::string out;
    for (const auto& [key, value] : options.values()) {
        if (!out.empty()) out += ", ";
        out += key + "=" + (is_secret(plugin, key) ? std::string("(secret)") : format_config_value(value));
    }
    return out;
}

std::string line_settings(const LineSettings& line) {
    return std::to_string(line.baud) + " " + std::to_string(line.data_bits) + line.parity +
           std::to_string(line.stop_bits);
}

}  // namespace

std::string summarize_config(const Config& config, const PluginSchemas& plugins) {
    std::ostringstream out;
    const GatewayConfig& gw = config.gateway;
    out << "gateway " << gw.id << ": log level " << gw.log_level << ", state " << gw.state_dir.string() << ", metrics "
        << (gw.metrics_listen.empty() ? std::string("off")
                                      : gw.metrics_listen + (gw.metrics_token.empty() ? "" : " (token required)"))
        << ", shutdown within " << format_duration(gw.shutdown_timeout) << ", on-demand reads at most every "
        << format_duration(gw.read_now_min_interval) << "\n";
    out << "files:";
    for (const auto& file : config.files) out << " " << file.string();
    out << "\n";
    for (const MeterConfig& m : config.meters) {
        char address[8];
        std::snprintf(address, sizeof address, "0x%02X", m.address);
        out << "meter " << m.name << ": " << redact_url(m.url) << " (" << m.endpoint.scheme << "), every "
            << format_duration(m.interval) << (m.align ? " aligned" : "") << ", " << line_settings(m.line)
            << ", address " << address << ", timeout " << format_duration(m.timeout) << "/"
            << format_duration(m.inter_byte_timeout) << ", line group " << m.line_group << "\n";
        const PluginDescriptor* transport = plugins.transport_for_scheme(m.endpoint.scheme);
        if (!m.transport_options.values().empty())
            out << "  transport " << (transport ? std::string(transport->name) : m.endpoint.scheme) << ": "
                << options_line(m.transport_options, transport) << "\n";
        out << "  registers:";
        for (const RegisterSchedule& r : m.registers) {
            out << " " << r.info.key << " (" << r.info.id << ")";
            if (r.every.count() > 0) out << " every " << format_duration(r.every);
            out << (&r == &m.registers.back() ? "" : ",");
        }
        out << "\n";
    }
    for (const SinkConfig& s : config.sinks) {
        const PluginDescriptor* plugin = plugins.sink(s.type);
        out << "sink " << s.name << " (" << s.type << "): batch "
            << (s.batch_size ? std::to_string(s.batch_size) : std::string("plugin default")) << ", flush "
            << (s.flush_interval ? format_duration(*s.flush_interval) : std::string("plugin default")) << ", backlog "
            << (s.queue_max_batches || s.queue_max_bytes
                    ? std::to_string(s.queue_max_batches) + " batches/" + std::to_string(s.queue_max_bytes) + " bytes"
                    : std::string("journal bounds"))
            << ", retry " << format_duration(s.retry_initial) << ".." << format_duration(s.retry_max)
            << (s.retry_limit ? ", dead letter after " + std::to_string(s.retry_limit) + " attempts" : std::string())
            << "\n";
        if (!s.options.values().empty()) out << "  " << options_line(s.options, plugin) << "\n";
    }
    return out.str();
}

std::string format_config_value(const ConfigValue& value) {
    struct Visitor {
        std::string operator()(std::monostate) const { return "(unset)"; }
        std::string operator()(bool b) const { return b ? "true" : "false"; }
        std::string operator()(std::int64_t i) const { return std::to_string(i); }
        std::string operator()(double d) const {
            std::ostringstream out;
            out << d;
            return out.str();
        }
        std::string operator()(const std::string& s) const { return quoted(s); }
        std::string operator()(std::chrono::milliseconds ms) const { return format_duration(ms); }
        std::string operator()(const std::vector<std::string>& list) const {
            std::string out = "[";
            for (std::size_t i = 0; i < list.size(); ++i) out += (i ? ", " : "") + quoted(list[i]);
            return out + "]";
        }
    };
    return std::visit(Visitor{}, value);
}

}  // namespace kamgw::config
