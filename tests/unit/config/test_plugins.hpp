// Small plugin descriptors for the config tests: two sinks and three transports whose
// schemas exercise every ConfigType the validator knows.
#pragma once

#include <array>
#include <string>
#include <string_view>

#include "core/config/static_plugin_schemas.hpp"

namespace kamgw::config::test {

inline constexpr std::array<ConfigKey, 4> csv_keys = {{
    {"path", ConfigType::path, "", true, "where to write"},
    {"delimiter", ConfigType::choice, ",", false, "field separator", ",|;|tab"},
    {"decimals", ConfigType::integer, "3", false, "digits after the point", "", 0, 9},
    {"columns", ConfigType::string_list, "time,meter,value", false, "columns to write"},
}};

inline constexpr std::array<ConfigKey, 7> mqtt_keys = {{
    {"url", ConfigType::string, "", true, "broker URL"},
    {"username", ConfigType::string, "", false, "broker user"},
    {"password", ConfigType::secret, "", false, "broker password"},
    {"qos", ConfigType::integer, "1", false, "MQTT QoS", "", 0, 2},
    {"retain", ConfigType::boolean, "true", false, "retain state messages"},
    {"keepalive", ConfigType::duration, "60s", false, "MQTT keepalive", "", 5000, 3'600'000},
    {"discovery_prefix", ConfigType::string, "homeassistant", false, "HA discovery prefix"},
}};

inline constexpr std::array<ConfigKey, 2> serial_keys = {{
    {"exclusive", ConfigType::boolean, "true", false, "lock the device"},
    {"echo", ConfigType::boolean, "false", false, "the IR head echoes what it sends"},
}};

inline constexpr std::array<ConfigKey, 2> tcp_keys = {{
    {"connect_timeout", ConfigType::duration, "5s", false, "TCP connect timeout"},
    {"retries", ConfigType::integer, "3", false, "connect attempts", "", 0, 10},
}};

inline constexpr std::array<std::string_view, 1> serial_schemes = {"serial"};
inline constexpr std::array<std::string_view, 2> tcp_schemes = {"tcp", "socket"};
inline constexpr std::array<std::string_view, 1> sim_schemes = {"sim"};

inline const PluginDescriptor csv_sink{
    .name = "csv", .kind = PluginKind::sink, .version = "1", .summary = "CSV files", .config = csv_keys};
inline const PluginDescriptor mqtt_sink{
    .name = "mqtt-ha", .kind = PluginKind::sink, .version = "1", .summary = "HA MQTT", .config = mqtt_keys};
inline const PluginDescriptor serial_transport{.name = "serial",
                                               .kind = PluginKind::transport,
                                               .version = "1",
                                               .summary = "serial ports",
                                               .config = serial_keys,
                                               .url_schemes = serial_schemes};
inline const PluginDescriptor tcp_transport{.name = "tcp",
                                            .kind = PluginKind::transport,
                                            .version = "1",
                                            .summary = "raw TCP",
                                            .config = tcp_keys,
                                            .url_schemes = tcp_schemes};
inline const PluginDescriptor sim_transport{
    .name = "sim", .kind = PluginKind::transport, .version = "1", .summary = "simulated", .url_schemes = sim_schemes};

inline StaticPluginSchemas all_plugins() {
    return StaticPluginSchemas{&csv_sink, &mqtt_sink, &serial_transport, &tcp_transport, &sim_transport};
}

// Line and column (1-based) of the first occurrence of `needle` in `text`, so a test can
// say "the issue points at the misspelt key" without counting characters by hand.
inline std::pair<std::uint32_t, std::uint32_t> position_of(std::string_view text, std::string_view needle,
                                                           std::size_t occurrence = 0) {
    std::size_t at = text.find(needle);
    while (occurrence-- > 0 && at != std::string_view::npos) at = text.find(needle, at + 1);
    if (at == std::string_view::npos) return {0, 0};
    std::uint32_t line = 1, column = 1;
    for (std::size_t i = 0; i < at; ++i) {
        if (text[i] == '\n') {
            ++line;
            column = 1;
        } else {
            ++column;
        }
    }
    return {line, column};
}

}  // namespace kamgw::config::test
