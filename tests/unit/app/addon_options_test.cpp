// The Home Assistant add-on's options as the Supervisor writes them (/data/options.json) and
// the kamgw.toml made from them: every option's mapping, the broker from the Supervisor, the
// token through its proxy, and the errors a user can make.
#include <gtest/gtest.h>

#include <toml++/toml.h>

#include "core/app/addon_options.hpp"

namespace kamgw::app {
namespace {

using nlohmann::json;

// What the Supervisor writes for the add-on's default options plus a device picked in the UI.
json sample_options() {
    return json::parse(R"({
        "meters": [
            {"name": "house", "device": "/dev/serial/by-id/usb-FTDI_FT230X_Basic_UART_D307PBVY-if00-port0",
             "interval": "15min", "registers": "heat_energy, volume,flow  t_forward"},
            {"name": "garage", "url": "socket://192.168.1.50:2000"}
        ],
        "mqtt_ha": true, "mqtt": false, "ha_websocket": true, "csv": false, "log_level": "info"
    })");
}

MqttService mosquitto_addon() { return {"core-mosquitto", 1883, false, "addons", "Ahng5ee"}; }

toml::table parsed(const AddonConfig& config) {
    try {
        return toml::parse(config.toml);
    } catch (const toml::parse_error& e) {
        ADD_FAILURE() << e.description() << "\n" << config.toml;
        return {};
    }
}

TEST(AddonOptions, SampleBecomesMetersAndSinksWithTheSupervisorsBroker) {
    const AddonConfig config = addon_config(sample_options(), {}, mosquitto_addon(), "supervisor-token");
    const auto t = parsed(config);
    EXPECT_EQ(t["gateway"]["state_dir"].value_or(std::string()), "/data/kamgw/state");
    EXPECT_EQ(t["gateway"]["log_level"].value_or(std::string()), "info");
    EXPECT_EQ(t["gateway"]["metrics_listen"].value_or(std::string()), "127.0.0.1:9780");
    EXPECT_FALSE(t["gateway"]["id"]);

    const auto* meters = t["meter"].as_array();
    ASSERT_TRUE(meters) << config.toml;
    ASSERT_EQ(meters->size(), 2u);
    const auto& house = *meters->at(0).as_table();
    EXPECT_EQ(house["url"].value_or(std::string()), "/dev/serial/by-id/usb-FTDI_FT230X_Basic_UART_D307PBVY-if00-port0");
    EXPECT_EQ(house["interval"].value_or(std::string()), "15min");
    const auto* registers = house["registers"].as_array();
    ASSERT_TRUE(registers);
    std::vector<std::string> names;
    for (const auto& r : *registers) names.push_back(r.value_or(std::string()));
    EXPECT_EQ(names, (std::vector<std::string>{"heat_energy", "volume", "flow", "t_forward"}));
    const auto& garage = *meters->at(1).as_table();
    EXPECT_EQ(garage["url"].value_or(std::string()), "socket://192.168.1.50:2000");
    EXPECT_FALSE(garage["interval"]) << "an empty interval keeps kamgw's default";
    EXPECT_FALSE(garage["registers"]);

    const auto* sinks = t["sink"].as_array();
    ASSERT_TRUE(sinks);
    ASSERT_EQ(sinks->size(), 2u) << config.toml;
    const auto& mqtt = *sinks->at(0).as_table();
    EXPECT_EQ(mqtt["type"].value_or(std::string()), "mqtt-ha");
    EXPECT_EQ(mqtt["url"].value_or(std::string()), "mqtt://core-mosquitto:1883");
    EXPECT_EQ(mqtt["username"].value_or(std::string()), "addons");
    EXPECT_EQ(mqtt["password_file"].value_or(std::string()), "/data/kamgw/secrets/mqtt-password");
    EXPECT_FALSE(mqtt["password"]) << "the password only ever goes to its file";
    const auto& ws = *sinks->at(1).as_table();
    EXPECT_EQ(ws["type"].value_or(std::string()), "ha-websocket");
    EXPECT_EQ(ws["url"].value_or(std::string()), "http://supervisor:80/core");
    EXPECT_EQ(ws["token_file"].value_or(std::string()), "/data/kamgw/secrets/ha-token");

    ASSERT_EQ(config.secrets.size(), 2u);
    EXPECT_EQ(config.secrets[0].path, "/data/kamgw/secrets/mqtt-password");
    EXPECT_EQ(config.secrets[0].content, "Ahng5ee");
    EXPECT_EQ(config.secrets[1].path, "/data/kamgw/secrets/ha-token");
    EXPECT_EQ(config.secrets[1].content, "supervisor-token");
    for (const auto& text : config.notes) {
        EXPECT_EQ(text.find("Ahng5ee"), std::string::npos) << text;
        EXPECT_EQ(text.find("supervisor-token"), std::string::npos) << text;
    }
    EXPECT_EQ(config.toml.find("Ahng5ee"), std::string::npos);
    EXPECT_EQ(config.toml.find("supervisor-token"), std::string::npos);
}

TEST(AddonOptions, NeedsTheSupervisorOnlyForAnEmptyBrokerOrTheWebsocketSink) {
    auto options = sample_options();
    EXPECT_TRUE(addon_needs(options).mqtt_service);
    EXPECT_TRUE(addon_needs(options).supervisor_token);
    options["mqtt_broker"] = "mqtt://192.168.1.2";
    EXPECT_FALSE(addon_needs(options).mqtt_service);
    EXPECT_TRUE(addon_needs(options).supervisor_token);
    options["ha_websocket"] = false;
    EXPECT_FALSE(addon_needs(options).supervisor_token);
    options["mqtt_broker"] = "";
    options["mqtt_ha"] = false;
    options["csv"] = true;
    EXPECT_FALSE(addon_needs(options).mqtt_service) << "no MQTT sink, no broker needed";
}

TEST(AddonOptions, TheUsersOwnBrokerWinsAndGetsAPortAndScheme) {
    auto options = sample_options();
    options["ha_websocket"] = false;
    options["mqtt"] = true;
    options["mqtt_broker"] = "192.168.1.2";
    options["mqtt_username"] = "kamgw";
    options["mqtt_password"] = "pw\"with\\quotes";
    const AddonConfig config = addon_config(options, {}, std::nullopt, "");
    const auto t = parsed(config);
    const auto* sinks = t["sink"].as_array();
    ASSERT_TRUE(sinks);
    ASSERT_EQ(sinks->size(), 2u);
    for (const auto& s : *sinks) {
        EXPECT_EQ((*s.as_table())["url"].value_or(std::string()), "mqtt://192.168.1.2:1883");
        EXPECT_EQ((*s.as_table())["username"].value_or(std::string()), "kamgw");
    }
    EXPECT_EQ((*sinks->at(1).as_table())["type"].value_or(std::string()), "mqtt");
    ASSERT_EQ(config.secrets.size(), 1u) << "one password file serves both MQTT sinks";
    EXPECT_EQ(config.secrets[0].content, "pw\"with\\quotes");

    options["mqtt_broker"] = "mqtts://broker.example";
    EXPECT_EQ(
        (*parsed(addon_config(options, {}, std::nullopt, ""))["sink"][0].as_table())["url"].value_or(std::string()),
        "mqtts://broker.example:8883");
}

TEST(AddonOptions, ABrokerWithTlsFromTheSupervisorIsMqtts) {
    auto service = mosquitto_addon();
    service.ssl = true;
    service.port = 8883;
    const auto t = parsed(addon_config(sample_options(), {}, service, "token"));
    EXPECT_EQ((*t["sink"][0].as_table())["url"].value_or(std::string()), "mqtts://core-mosquitto:8883");
}

TEST(AddonOptions, LayoutMovesFilesAndTheSupervisor) {
    AddonLayout layout;
    layout.output_dir = "/tmp/x";
    layout.state_dir = "/tmp/state";
    layout.supervisor_url = "http://127.0.0.1:4567/";
    layout.metrics_listen = "";
    const AddonConfig config = addon_config(sample_options(), layout, mosquitto_addon(), "token");
    const auto t = parsed(config);
    EXPECT_EQ(t["gateway"]["state_dir"].value_or(std::string()), "/tmp/state");
    EXPECT_FALSE(t["gateway"]["metrics_listen"]);
    EXPECT_EQ((*t["sink"][1].as_table())["url"].value_or(std::string()), "http://127.0.0.1:4567/core");
    EXPECT_EQ(config.secrets[1].path, "/tmp/x/secrets/ha-token");
}

TEST(AddonOptions, TextIsQuotedSoNoOptionCanAddKeys) {
    auto options = sample_options();
    options["gateway_id"] = "x\"\n[[sink]]\ntype = \"csv";
    options["meters"][0]["name"] = "a\\b";
    const auto t = parsed(addon_config(options, {}, mosquitto_addon(), "token"));
    EXPECT_EQ(t["gateway"]["id"].value_or(std::string()), "x\"\n[[sink]]\ntype = \"csv");
    EXPECT_EQ((*t["meter"][0].as_table())["name"].value_or(std::string()), "a\\b");
    EXPECT_EQ(t["sink"].as_array()->size(), 2u);
    EXPECT_EQ(toml_quoted("tab\there\x7f"), "\"tab\\u0009here\\u007f\"");
}

void expect_error(const json& options, const std::string& mentions) {
    try {
        addon_config(options, {}, mosquitto_addon(), "token");
        ADD_FAILURE() << "no error for " << options.dump();
    } catch (const AddonOptionError& e) {
        EXPECT_NE(std::string(e.what()).find(mentions), std::string::npos) << e.what();
    }
}

TEST(AddonOptions, MistakesNameTheOption) {
    auto options = sample_options();
    options["meters"] = json::array();
    expect_error(options, "meters: add at least one meter");

    options = sample_options();
    options["meters"][1].erase("url");
    expect_error(options, "meters[1].device, meters[1].url");

    options = sample_options();
    options["meters"][0]["url"] = "socket://h:1";
    expect_error(options, "not both");

    options = sample_options();
    options["meters"][0]["name"] = "";
    expect_error(options, "meters[0].name");

    options = sample_options();
    options["mqtt_ha"] = false;
    options["ha_websocket"] = false;
    expect_error(options, "at least one");

    options = sample_options();
    options["mqtt"] = "yes";
    expect_error(options, "mqtt: expected true or false");

    options = sample_options();
    options["meters"][0]["interval"] = 15;
    expect_error(options, "meters[0].interval: expected text");

    EXPECT_THROW(addon_config(json::array(), {}, mosquitto_addon(), "token"), AddonOptionError);
    EXPECT_THROW(addon_config(sample_options(), {}, std::nullopt, "token"), AddonOptionError)
        << "an empty broker and no broker from the Supervisor";
    try {
        addon_config(sample_options(), {}, mosquitto_addon(), "");
        ADD_FAILURE() << "no error without SUPERVISOR_TOKEN";
    } catch (const AddonOptionError& e) {
        EXPECT_NE(std::string(e.what()).find("SUPERVISOR_TOKEN"), std::string::npos) << e.what();
    }
}

TEST(AddonOptions, UnknownOptionsAreNotedNotFatal) {
    auto options = sample_options();
    options["retired_option"] = 1;
    options["meters"][0]["colour"] = "red";
    const AddonConfig config = addon_config(options, {}, mosquitto_addon(), "token");
    ASSERT_EQ(config.notes.size(), 3u);
    EXPECT_NE(config.notes[0].find("retired_option"), std::string::npos);
    EXPECT_NE(config.notes[1].find("meters[0].colour"), std::string::npos);
    EXPECT_NE(config.notes[2].find("MQTT broker from the Supervisor: mqtt://core-mosquitto:1883 as user addons"),
              std::string::npos);
}

TEST(AddonOptions, TheSupervisorsMqttAnswerIsRead) {
    const auto service = mqtt_service_from_json(json::parse(R"({"result": "ok", "data": {
        "addon": "core_mosquitto", "host": "core-mosquitto", "port": 1884, "ssl": true, "protocol": "3.1.1",
        "username": "addons", "password": "pw"}})"));
    EXPECT_EQ(service.host, "core-mosquitto");
    EXPECT_EQ(service.port, 1884);
    EXPECT_TRUE(service.ssl);
    EXPECT_EQ(service.username, "addons");
    EXPECT_EQ(service.password, "pw");
    EXPECT_THROW(mqtt_service_from_json(json::parse(R"({"result": "ok", "data": {}})")), AddonOptionError);
}

}  // namespace
}  // namespace kamgw::app
