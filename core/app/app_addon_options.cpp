#include <algorithm>
#include <array>
#include <cstdio>
#include <utility>

#include "core/app/addon_options.hpp"

namespace kamgw::app {
namespace {

using nlohmann::json;

constexpr std::array<std::string_view, 11> known_options = {
    "gateway_id",    "log_level",     "meters",       "mqtt_ha", "mqtt",    "mqtt_broker",
    "mqtt_username", "mqtt_password", "ha_websocket", "csv",     "csv_path"};
constexpr std::array<std::string_view, 5> known_meter_options = {"name", "device", "url", "interval", "registers"};

// The Supervisor leaves an optional option out, or writes it empty: both mean "not set".
std::string text_option(const json& object, const char* key, const std::string& where) {
    const auto it = object.find(key);
    if (it == object.end() || it->is_null()) return {};
    if (!it->is_string()) throw AddonOptionError(where + key + ": expected text, got " + it->dump());
    return it->get<std::string>();
}

bool bool_option(const json& options, const char* key) {
    const auto it = options.find(key);
    if (it == options.end() || it->is_null()) return false;
    if (!it->is_boolean()) throw AddonOptionError(std::string(key) + ": expected true or false, got " + it->dump());
    return it->get<bool>();
}

// "heat_energy, volume info" -> each name once, in order; kamgw check judges the names.
std::vector<std::string> register_names(const std::string& text) {
    std::vector<std::string> out;
    std::string name;
    for (const char c : text + ",") {
        if (c == ',' || c == ' ' || c == '\t' || c == ';') {
            if (!name.empty()) out.push_back(std::move(name));
            name.clear();
        } else {
            name.push_back(c);
        }
    }
    return out;
}

std::string toml_list(const std::vector<std::string>& items) {
    std::string out = "[";
    for (std::size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + toml_quoted(items[i]);
    return out + "]";
}

std::string with_port(std::string url, int default_port) {
    const auto scheme_end = url.find("://");
    const auto host_start = scheme_end == std::string::npos ? 0 : scheme_end + 3;
    const auto path_start = url.find('/', host_start);
    const auto authority =
        url.substr(host_start, path_start == std::string::npos ? std::string::npos : path_start - host_start);
    if (authority.find(':') == std::string::npos)
        url.insert(path_start == std::string::npos ? url.size() : path_start, ":" + std::to_string(default_port));
    return url;
}

struct Writer {
    std::string text;
    void line(const std::string& key, const std::string& value) { text += key + " = " + value + "\n"; }
};

void write_meters(const json& options, Writer& w, std::vector<std::string>& notes) {
    const auto it = options.find("meters");
    if (it == options.end() || !it->is_array() || it->empty())
        throw AddonOptionError("meters: add at least one meter (a name and its device or URL)");
    for (std::size_t i = 0; i < it->size(); ++i) {
        const json& m = (*it)[i];
        const std::string where = "meters[" + std::to_string(i) + "].";
        if (!m.is_object()) throw AddonOptionError(where.substr(0, where.size() - 1) + ": expected a meter's options");
        for (const auto& [key, value] : m.items())
            if (std::find(known_meter_options.begin(), known_meter_options.end(), key) == known_meter_options.end())
                notes.push_back("option " + where + key + " is not known here and was left out");
        const std::string name = text_option(m, "name", where);
        const std::string device = text_option(m, "device", where);
        const std::string url = text_option(m, "url", where);
        if (name.empty()) throw AddonOptionError(where + "name: every meter needs a name");
        if (device.empty() == url.empty())
            throw AddonOptionError(where + "device, " + where +
                                   "url: give the meter either a device (the optical head) or a url (ser2net, "
                                   "rfc2217, sim), not both and not neither");
        w.text += "\n[[meter]]\n";
        w.line("name", toml_quoted(name));
        w.line("url", toml_quoted(device.empty() ? url : device));
        if (const auto interval = text_option(m, "interval", where); !interval.empty())
            w.line("interval", toml_quoted(interval));
        if (const auto registers = register_names(text_option(m, "registers", where)); !registers.empty())
            w.line("registers", toml_list(registers));
    }
}

}  // namespace

std::span<const std::string_view> addon_option_names() { return known_options; }
std::span<const std::string_view> addon_meter_option_names() { return known_meter_options; }

std::string toml_quoted(std::string_view text) {
    std::string out = "\"";
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (u < 0x20 || u == 0x7f) {
            char escaped[8];
            std::snprintf(escaped, sizeof escaped, "\\u%04x", u);
            out += escaped;
        } else {
            out += c;
        }
    }
    return out + "\"";
}

MqttService mqtt_service_from_json(const json& answer) {
    const json& data = answer.contains("data") ? answer["data"] : answer;
    if (!data.is_object() || !data.contains("host") || !data["host"].is_string() ||
        data["host"].get<std::string>().empty())
        throw AddonOptionError("the Supervisor's MQTT service names no host: " + answer.dump().substr(0, 200));
    MqttService s;
    s.host = data["host"].get<std::string>();
    if (data.contains("port") && data["port"].is_number_integer()) s.port = data["port"].get<int>();
    if (data.contains("ssl") && data["ssl"].is_boolean()) s.ssl = data["ssl"].get<bool>();
    if (data.contains("username") && data["username"].is_string()) s.username = data["username"].get<std::string>();
    if (data.contains("password") && data["password"].is_string()) s.password = data["password"].get<std::string>();
    return s;
}

AddonNeeds addon_needs(const json& options) {
    AddonNeeds needs;
    needs.mqtt_sink = bool_option(options, "mqtt_ha") || bool_option(options, "mqtt");
    needs.mqtt_service = needs.mqtt_sink && text_option(options, "mqtt_broker", "").empty();
    needs.supervisor_token = needs.mqtt_service || bool_option(options, "ha_websocket");
    return needs;
}

AddonConfig addon_config(const json& options, const AddonLayout& layout, const std::optional<MqttService>& mqtt,
                         const std::string& supervisor_token) {
    if (!options.is_object()) throw AddonOptionError("the options are not a JSON object");
    AddonConfig out;
    for (const auto& [key, value] : options.items())
        if (std::find(known_options.begin(), known_options.end(), key) == known_options.end())
            out.notes.push_back("option " + key + " is not known here and was left out");
    const std::string secrets_dir = layout.output_dir + "/secrets";
    Writer w;
    w.text =
        "# Written by `kamgw addon-config` from the add-on's options at every start of the add-on:\n"
        "# change the options in Home Assistant, not this file.\n\n[gateway]\n";
    if (const auto id = text_option(options, "gateway_id", ""); !id.empty()) w.line("id", toml_quoted(id));
    if (const auto level = text_option(options, "log_level", ""); !level.empty())
        w.line("log_level", toml_quoted(level));
    w.line("state_dir", toml_quoted(layout.state_dir.empty() ? layout.output_dir + "/state" : layout.state_dir));
    if (!layout.metrics_listen.empty()) w.line("metrics_listen", toml_quoted(layout.metrics_listen));
    write_meters(options, w, out.notes);

    const AddonNeeds needs = addon_needs(options);
    const bool ha_websocket = bool_option(options, "ha_websocket");
    const bool csv = bool_option(options, "csv");
    if (!needs.mqtt_sink && !ha_websocket && !csv)
        throw AddonOptionError("mqtt_ha, mqtt, ha_websocket, csv: turn on at least one, or the readings go nowhere");
    if (needs.supervisor_token && supervisor_token.empty())
        throw AddonOptionError(
            "SUPERVISOR_TOKEN is not set: the broker from the Supervisor and the ha_websocket sink need it (the "
            "Supervisor sets it for an add-on; elsewhere fill in mqtt_broker and turn ha_websocket off)");

    std::string broker = text_option(options, "mqtt_broker", "");
    std::string username = text_option(options, "mqtt_username", "");
    std::string password = text_option(options, "mqtt_password", "");
    if (needs.mqtt_service) {
        if (!mqtt) throw AddonOptionError("mqtt_broker: empty, and the Supervisor named no MQTT broker");
        broker = std::string(mqtt->ssl ? "mqtts://" : "mqtt://") + mqtt->host + ":" + std::to_string(mqtt->port);
        if (!username.empty() || !password.empty())
            out.notes.push_back("mqtt_username and mqtt_password only go with mqtt_broker; the Supervisor's are used");
        username = mqtt->username;
        password = mqtt->password;
        out.notes.push_back("MQTT broker from the Supervisor: " + broker +
                            (username.empty() ? "" : " as user " + username));
    } else if (!broker.empty() && broker.find("://") == std::string::npos) {
        broker = "mqtt://" + broker;  // "core-mosquitto:1883" as a user would type it
    }
    const std::pair<const char*, bool> mqtt_sinks[] = {{"mqtt-ha", bool_option(options, "mqtt_ha")},
                                                       {"mqtt", bool_option(options, "mqtt")}};
    for (const auto& [type, on] : mqtt_sinks) {
        if (!on) continue;
        w.text += "\n[[sink]]\n";
        w.line("type", toml_quoted(type));
        w.line("url", toml_quoted(with_port(broker, broker.starts_with("mqtts://") ? 8883 : 1883)));
        if (!username.empty()) w.line("username", toml_quoted(username));
        if (!password.empty()) w.line("password_file", toml_quoted(secrets_dir + "/mqtt-password"));
    }
    if (!password.empty() && needs.mqtt_sink) out.secrets.push_back({secrets_dir + "/mqtt-password", password});
    if (ha_websocket) {
        // The Supervisor's proxy serves Home Assistant's API under /core (/core/api/websocket,
        // /core/api/states/…) and takes the add-on's own token, so the user pastes none.
        w.text += "\n[[sink]]\n";
        w.line("type", toml_quoted("ha-websocket"));
        std::string supervisor = layout.supervisor_url;
        while (supervisor.ends_with('/')) supervisor.pop_back();
        w.line("url", toml_quoted(with_port(supervisor, 80) + "/core"));
        w.line("token_file", toml_quoted(secrets_dir + "/ha-token"));
        out.secrets.push_back({secrets_dir + "/ha-token", supervisor_token});
    }
    if (csv) {
        std::string path = text_option(options, "csv_path", "");
        if (path.empty()) path = "/share/kamgw/readings.csv";
        w.text += "\n[[sink]]\n";
        w.line("type", toml_quoted("csv"));
        w.line("path", toml_quoted(path));
    }
    out.toml = std::move(w.text);
    return out;
}

}  // namespace kamgw::app
