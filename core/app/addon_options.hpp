// The Home Assistant add-on's options (the /data/options.json the Supervisor writes from the
// add-on's config.yaml schema) turned into a kamgw configuration. Pure: the caller fetches what
// the Supervisor knows and writes the files, so every mapping is tested without a network.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace kamgw::app {

// An option the configuration cannot be made from; the message names the option.
struct AddonOptionError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// The broker the Supervisor announces at GET /services/mqtt (the Mosquitto add-on's).
struct MqttService {
    std::string host;
    int port = 1883;
    bool ssl = false;
    std::string username;
    std::string password;
};

// The "data" object of a GET /services/mqtt answer; throws AddonOptionError when it lacks the host.
MqttService mqtt_service_from_json(const nlohmann::json& answer);

// Where the generated files go and how the Supervisor is reached from the add-on.
struct AddonLayout {
    std::string output_dir = "/data/kamgw";  // kamgw.toml, secrets/ and state/ (unless state_dir)
    std::string state_dir;                   // empty: <output_dir>/state
    std::string supervisor_url = "http://supervisor";
    std::string metrics_listen = "127.0.0.1:9780";  // what the image's health check asks
};

// A secret the configuration refers to by a *_file key, written 0600/0640 next to it.
struct SecretFile {
    std::string path;
    std::string content;
};

struct AddonConfig {
    std::string toml;                 // the configuration file's text
    std::vector<SecretFile> secrets;  // never printed
    std::vector<std::string> notes;   // what was decided and why, for the add-on's log (no secret)
};

// What the options need from the Supervisor before they can be converted.
struct AddonNeeds {
    bool mqtt_sink = false;         // mqtt_ha or mqtt is on
    bool mqtt_service = false;      // an MQTT sink is on and the broker is left empty
    bool supervisor_token = false;  // the broker from the Supervisor, or ha-websocket through its proxy
};
AddonNeeds addon_needs(const nlohmann::json& options);

// Throws AddonOptionError. `mqtt` must be set when addon_needs() said so; `supervisor_token` is
// the add-on's SUPERVISOR_TOKEN (for the ha-websocket sink through the Supervisor's proxy).
AddonConfig addon_config(const nlohmann::json& options, const AddonLayout& layout,
                         const std::optional<MqttService>& mqtt, const std::string& supervisor_token);

// The options addon_config() reads, top level and per meter (config.yaml's schema must match).
std::span<const std::string_view> addon_option_names();
std::span<const std::string_view> addon_meter_option_names();

// `text` as a TOML basic string, quotes included.
std::string toml_quoted(std::string_view text);

}  // namespace kamgw::app
