#include "plugins/common/mqtt/connection_options.hpp"

#include <charconv>

namespace kamgw::mqtt {
namespace {

constexpr ConfigKey connection_keys[] = {
    {"url", ConfigType::string, "", true, "broker address: mqtt://host:port or mqtts://host:port (TLS)"},
    {"username", ConfigType::string, "", false, "user name for the broker"},
    {"password", ConfigType::secret, "", false, "password for the broker (also password_file)"},
    {"client_id", ConfigType::string, "", false, "MQTT client id; unique per broker (see the README for the default)"},
    {"keepalive", ConfigType::duration, "60s", false, "MQTT keep-alive interval"},
    {"qos", ConfigType::integer, "1", false, "QoS of every publish (0, 1 or 2)", "", 0, 2},
    {"ca_file", ConfigType::path, "", false, "CA certificate(s) for mqtts://; default: the system store"},
    {"cert_file", ConfigType::path, "", false, "client certificate for mqtts:// (with key_file)"},
    {"key_file", ConfigType::path, "", false, "client key for mqtts://"},
    {"tls_verify", ConfigType::boolean, "true", false, "verify the broker's certificate and host name"},
    {"publish_timeout", ConfigType::duration, "10s", false,
     "how long a write waits for the broker's acknowledgements before it is retried"},
};

}  // namespace

std::vector<ConfigKey> with_connection_keys(std::span<const ConfigKey> sink_keys) {
    std::vector<ConfigKey> keys(std::begin(connection_keys), std::end(connection_keys));
    keys.insert(keys.end(), sink_keys.begin(), sink_keys.end());
    return keys;
}

BrokerAddress parse_broker_url(const std::string& url) {
    BrokerAddress a;
    std::string_view rest = url;
    if (rest.starts_with("mqtt://")) {
        rest.remove_prefix(7);
    } else if (rest.starts_with("mqtts://")) {
        rest.remove_prefix(8);
        a.tls = true;
        a.port = 8883;
    } else {
        throw ConfigError("url '" + url + "': expected mqtt://host:port or mqtts://host:port");
    }
    if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
    if (rest.find('/') != std::string_view::npos || rest.find('@') != std::string_view::npos)
        throw ConfigError("url '" + url + "': give only host and port; user and password have their own keys");
    std::string_view host = rest;
    if (rest.starts_with('[')) {  // [::1]:1883
        const auto close = rest.find(']');
        if (close == std::string_view::npos) throw ConfigError("url '" + url + "': unclosed '['");
        host = rest.substr(1, close - 1);
        rest.remove_prefix(close + 1);
        if (!rest.empty() && rest.front() != ':') throw ConfigError("url '" + url + "': junk after ']'");
    } else {
        const auto colon = rest.rfind(':');
        host = colon == std::string_view::npos ? rest : rest.substr(0, colon);
        rest = colon == std::string_view::npos ? std::string_view{} : rest.substr(colon);
    }
    if (host.empty()) throw ConfigError("url '" + url + "': no host");
    a.host = std::string(host);
    if (!rest.empty()) {
        rest.remove_prefix(1);  // ':'
        unsigned port = 0;
        const auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), port);
        if (ec != std::errc{} || end != rest.data() + rest.size() || port == 0 || port > 65535)
            throw ConfigError("url '" + url + "': port must be a number from 1 to 65535");
        a.port = static_cast<std::uint16_t>(port);
    }
    return a;
}

std::string topic_safe(std::string_view text) {
    std::string out;
    for (char c : text)
        out.push_back((c == '/' || c == '+' || c == '#' || static_cast<unsigned char>(c) < 0x20) ? '_' : c);
    return out.empty() ? "kamgw" : out;
}

std::string id_safe(std::string_view text) {
    std::string out;
    for (char c : text) {
        const bool ok =
            (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
        out.push_back(ok ? c : '_');
    }
    return out.empty() ? "unnamed" : out;
}

ConnectionOptions connection_from_config(const ConfigTable& t, const std::string& default_client_id) {
    ConnectionOptions o;
    o.url = t.get_string("url");
    o.broker = parse_broker_url(o.url);
    o.username = t.get_string_or("username", "");
    o.password = t.get_string_or("password", "");
    o.client_id = t.get_string_or("client_id", default_client_id);
    if (t.has("keepalive")) o.keepalive = std::chrono::duration_cast<std::chrono::seconds>(t.get_duration("keepalive"));
    if (o.keepalive < std::chrono::seconds(5)) throw ConfigError("keepalive must be at least 5s");
    if (t.has("qos")) o.qos = static_cast<int>(t.get_int("qos"));
    if (o.qos < 0 || o.qos > 2) throw ConfigError("qos must be 0, 1 or 2");
    o.ca_file = t.get_string_or("ca_file", "");
    o.cert_file = t.get_string_or("cert_file", "");
    o.key_file = t.get_string_or("key_file", "");
    o.tls_verify = t.has("tls_verify") ? t.get_bool("tls_verify") : true;
    if (!o.broker.tls && !(o.ca_file.empty() && o.cert_file.empty() && o.key_file.empty()))
        throw ConfigError("ca_file, cert_file and key_file need an mqtts:// url");
    if (o.cert_file.empty() != o.key_file.empty()) throw ConfigError("cert_file and key_file go together");
    if (t.has("publish_timeout")) o.publish_timeout = t.get_duration("publish_timeout");
    return o;
}

}  // namespace kamgw::mqtt
