// Two gateways on one broker, as an integrator with several buildings runs them: two `kamgw run`
// with different gateway ids, each with the mqtt-ha and the plain mqtt sink, and a meter of the
// same name in both. Nothing collides: each gateway's topics are its own, Home Assistant sees two
// gateway devices with their meters, and one gateway's last will leaves the other's meters alone.
#include <gtest/gtest.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <set>

#include "tests/integration/daemon-sinks/mqtt_watcher.hpp"
#include "tests/integration/daemon-sinks/sink_daemon.hpp"
#include "tests/integration/mqtt/mqtt_harness.hpp"

namespace kamgw::test::daemon_sinks {
namespace {

std::string both_sinks(std::uint16_t port) {
    const std::string url = "url = \"mqtt://127.0.0.1:" + std::to_string(port) + "\"\n";
    return "[[sink]]\ntype = \"mqtt-ha\"\n" + url + "\n[[sink]]\ntype = \"mqtt\"\n" + url;
}

std::string status_of(const MqttWatcher& w, const std::string& topic) {
    const auto m = w.last_on(topic);
    return m ? m->payload : "";
}

TEST(ManyGateways, TwoGatewaysOnOneBrokerKeepToTheirOwnTopics) {
    TempDir dir_a, dir_b, broker_dir;
    mqtt_ha::test::Broker broker(broker_dir);
    MqttWatcher watcher(broker.port(), {"#"});
    SinkDaemon a(dir_a, {.serial = 5550601, .gateway_id = "site-a", .sink_toml = both_sinks(broker.port())});
    SinkDaemon b(dir_b, {.serial = 5550602, .gateway_id = "site-b", .sink_toml = both_sinks(broker.port())});
    ASSERT_TRUE(a.wait_for_polls(2, 90s)) << a.log();
    ASSERT_TRUE(b.wait_for_polls(2, 90s)) << b.log();

    // Both meters are named "house": {gateway} in the plain topics keeps them apart, each with
    // its own gateway's values.
    for (SinkDaemon* d : {&a, &b}) {
        const std::string topic = "kamgw/" + d->settings().gateway_id + "/house/heat_energy";
        ASSERT_TRUE(watcher.wait_for(topic, 2, 60s)) << topic << d->log();
        std::set<std::string> csv_values;
        for (const CsvPoll& p : d->polls()) csv_values.insert(p.values.at("heat_energy"));
        for (const auto& m : watcher.on(topic))
            EXPECT_TRUE(csv_values.contains(m.payload)) << topic << " " << m.payload;
        ASSERT_TRUE(watcher.wait_for("kamgw/" + d->settings().gateway_id + "/" + d->serial() + "/state", 1, 60s));
    }

    // Discovery: two gateway devices, each meter linked to its own gateway and available only
    // through its own gateway's topics.
    std::map<std::string, std::string> meter_gateway;  // meter device -> via_device
    std::set<std::string> gateway_devices;
    for (const auto& m : watcher.starting_with("homeassistant/")) {
        if (m.payload.empty()) continue;
        const auto config = nlohmann::json::parse(m.payload, nullptr, false);
        if (config.is_discarded() || !config.contains("device")) continue;
        const auto ids = config["device"]["identifiers"];
        const std::string device = ids.is_array() ? ids[0].get<std::string>() : ids.get<std::string>();
        if (config["device"].contains("via_device")) {
            meter_gateway[device] = config["device"]["via_device"].get<std::string>();
            const std::string serial = device.substr(std::string("kamgw_").size());
            const std::string own = serial == a.serial() ? "kamgw/site-a/" : "kamgw/site-b/";
            for (const auto& availability : config["availability"])
                EXPECT_TRUE(availability["topic"].get<std::string>().starts_with(own)) << m.topic << ": " << m.payload;
        } else {
            gateway_devices.insert(device);
        }
    }
    EXPECT_EQ(gateway_devices, (std::set<std::string>{"kamgw_site-a", "kamgw_site-b"}));
    EXPECT_EQ(meter_gateway["kamgw_" + a.serial()], "kamgw_site-a");
    EXPECT_EQ(meter_gateway["kamgw_" + b.serial()], "kamgw_site-b");
    // Four MQTT sessions, four client ids: none took another's session.
    EXPECT_EQ(broker.count_in_log("already connected"), 0u) << broker.log();

    // Every state topic is under one gateway's base.
    std::set<std::string> tree;
    for (const auto& m : watcher.starting_with("")) tree.insert(m.topic);
    for (const std::string& topic : tree)
        EXPECT_TRUE(topic.starts_with("homeassistant/") || topic.starts_with("kamgw/site-a/") ||
                    topic.starts_with("kamgw/site-b/"))
            << topic;
    std::printf("[many gateways] %zu topics:\n", tree.size());
    for (const std::string& topic : tree) std::printf("  %s\n", topic.c_str());

    // Gateway A dies: its last wills say offline; gateway B and its meter stay online.
    ASSERT_EQ(status_of(watcher, "kamgw/site-a/status"), "online");
    a.kill_hard();
    ASSERT_TRUE(wait_until([&] { return status_of(watcher, "kamgw/site-a/status") == "offline"; }, 60s));
    ASSERT_TRUE(wait_until([&] { return status_of(watcher, "kamgw/site-a/availability") == "offline"; }, 60s));
    ASSERT_TRUE(b.wait_for_polls(b.polls().size() + 1, 60s));
    EXPECT_EQ(status_of(watcher, "kamgw/site-b/status"), "online");
    EXPECT_EQ(status_of(watcher, "kamgw/site-b/availability"), "online");
    EXPECT_EQ(status_of(watcher, "kamgw/site-b/" + b.serial() + "/availability"), "online");
}

}  // namespace
}  // namespace kamgw::test::daemon_sinks
