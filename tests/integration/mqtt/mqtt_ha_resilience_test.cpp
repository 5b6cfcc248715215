// The mqtt-ha plugin when things go wrong: a refused login, TLS, a broker that is down at
// start or restarts in the middle (readings wait in the lane and all arrive afterwards).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "plugins/sink-mqtt-ha/tests/mc403_batch.hpp"
#include "tests/integration/mqtt/mqtt_harness.hpp"

namespace kamgw::mqtt_ha::test {
namespace {

using namespace std::chrono_literals;
namespace kt = kamgw::test;

const std::string state_topic = "kamgw/testgw/12345678/state";

ConfigTable sink_config(const std::string& url) {
    ConfigTable t;
    t.set("url", url);
    t.set("publish_timeout", std::chrono::milliseconds(3000));
    t.set("client_id", std::string("kamgw-resilience"));
    return t;
}

ReadingBatch batch_with_energy(std::uint64_t mantissa) {
    ReadingBatch b = mc403_batch();
    b.readings[0].value = Decimal{mantissa, -3, false};
    return b;
}

class MqttHaResilience : public ::testing::Test {
protected:
    kt::TempDir dir;
    LoadedPlugin plugin;
};

TEST_F(MqttHaResilience, WrongPasswordIsOneErrorAndNoTightLoop) {
    BrokerSettings auth;
    auth.password = true;
    Broker broker(dir, auth);
    ConfigTable config = sink_config("mqtt://127.0.0.1:" + std::to_string(broker.port()));
    config.set("username", auth.user);
    config.set("password", std::string("wrong"));
    TestHost host(config, dir / "state", house_meter());
    auto sink = plugin.make();
    sink->start(host);
    ASSERT_TRUE(idle_until(
        *sink, [&] { return host.logger.count("refused the connection") >= 1; }, 15s));
    // Give a retry loop every chance to show itself: libmosquitto alone would reconnect
    // after 1 s, 4 s, 9 s, ...
    idle_until(
        *sink, [] { return false; }, 6s);
    EXPECT_EQ(host.logger.count("refused the connection"), 1u);
    EXPECT_EQ(host.logger.count("refused the connection: Connection Refused: not authorised. (check username, "
                                "password and the broker's ACL); trying again in 2 min"),
              1u);
    // One CONNECT reached the broker and was answered with "not authorised" (rc 5).
    EXPECT_EQ(broker.count_in_log("Sending CONNACK to 127.0.0.1 (0, 5)"), 1u) << broker.log();
    EXPECT_EQ(broker.count_in_log("not authorised"), 1u) << broker.log();
    const ReadingBatch batch = mc403_batch();
    EXPECT_EQ(sink->write({&batch, 1}).code, WriteResult::Code::retry);
    sink->stop();
}

TEST_F(MqttHaResilience, RightPasswordPublishes) {
    BrokerSettings auth;
    auth.password = true;
    Broker broker(dir, auth);
    ConfigTable config = sink_config("mqtt://127.0.0.1:" + std::to_string(broker.port()));
    config.set("username", auth.user);
    config.set("password", auth.pass);
    TestHost host(config, dir / "state", house_meter());
    auto sink = plugin.make();
    sink->start(host);
    const ReadingBatch batch = mc403_batch();
    ASSERT_EQ(write_until_done(*sink, {&batch, 1}, 20s).code, WriteResult::Code::ok);
    Recorder ha(broker.port(), {state_topic}, auth);
    EXPECT_TRUE(ha.wait_for(state_topic, 1, 10s));
    EXPECT_EQ(host.logger.count("refused"), 0u);
    sink->stop();
}

TEST_F(MqttHaResilience, TlsWithTheBrokersCa) {
    BrokerSettings tls;
    tls.tls = true;
    Broker broker(dir, tls);
    ConfigTable config = sink_config("mqtts://127.0.0.1:" + std::to_string(broker.tls_port()));
    config.set("ca_file", broker.ca_file().string());
    TestHost host(config, dir / "state", house_meter());
    auto sink = plugin.make();
    sink->start(host);
    const ReadingBatch batch = mc403_batch();
    ASSERT_EQ(write_until_done(*sink, {&batch, 1}, 20s).code, WriteResult::Code::ok);
    Recorder ha(broker.port(), {state_topic});  // the plain listener of the same broker
    EXPECT_TRUE(ha.wait_for(state_topic, 1, 10s));
    sink->stop();

    // Without the CA the broker's certificate is not trusted: nothing gets through.
    ConfigTable untrusting = sink_config("mqtts://127.0.0.1:" + std::to_string(broker.tls_port()));
    untrusting.set("client_id", std::string("kamgw-untrusting"));
    TestHost host2(untrusting, dir / "state2", house_meter());
    auto sink2 = plugin.make();
    sink2->start(host2);
    idle_until(
        *sink2, [] { return false; }, 3s);
    EXPECT_EQ(sink2->write({&batch, 1}).code, WriteResult::Code::retry);
    EXPECT_EQ(broker.count_in_log("as kamgw-untrusting"), 0u);
    sink2->stop();
}

TEST_F(MqttHaResilience, BrokerDownAtStartThenUp) {
    // A broker config on a port nobody listens on yet.
    Broker broker(dir);
    broker.stop();
    TestHost host(sink_config("mqtt://127.0.0.1:" + std::to_string(broker.port())), dir / "state", house_meter());
    auto sink = plugin.make();
    sink->start(host);
    const ReadingBatch batch = mc403_batch();
    EXPECT_EQ(sink->write({&batch, 1}).code, WriteResult::Code::retry);
    broker.start();
    ASSERT_EQ(write_until_done(*sink, {&batch, 1}, 30s).code, WriteResult::Code::ok);
    Recorder ha(broker.port(), {state_topic});
    EXPECT_TRUE(ha.wait_for(state_topic, 1, 10s));
    sink->stop();
}

TEST_F(MqttHaResilience, BrokerRestartLosesNoReadings) {
    Broker broker(dir);
    TestHost host(sink_config("mqtt://127.0.0.1:" + std::to_string(broker.port())), dir / "state", house_meter());
    auto sink = plugin.make();
    sink->start(host);
    const ReadingBatch first = batch_with_energy(1000001);
    ASSERT_EQ(write_until_done(*sink, {&first, 1}, 20s).code, WriteResult::Code::ok);

    broker.stop();  // persistence is off: the broker forgets every retained message
    ASSERT_TRUE(idle_until(
        *sink, [&] { return host.logger.count("lost the connection") == 1; }, 10s));
    // Three polls while the broker is away: each write is refused, so the core keeps them.
    std::vector<ReadingBatch> held;
    for (std::uint64_t v : {1000002u, 1000003u, 1000004u}) {
        held.push_back(batch_with_energy(v));
        EXPECT_EQ(sink->write(held).code, WriteResult::Code::retry);
    }

    broker.start();
    Recorder ha(broker.port(), {"homeassistant/#", "kamgw/#"});
    // The lane retries the held batches until the sink takes them.
    ASSERT_EQ(write_until_done(*sink, held, 60s).code, WriteResult::Code::ok);
    ASSERT_TRUE(ha.wait_for(state_topic, 4, 10s));
    std::vector<std::string> energies;
    for (const auto& m : ha.on(state_topic)) energies.push_back(nlohmann::json::parse(m.payload)["heat_energy"].dump());
    // The republished last state from before (1000.001), then the three held polls in order.
    EXPECT_EQ(energies, (std::vector<std::string>{"1000.001", "1000.002", "1000.003", "1000.004"}));
    // Discovery and the gateway's status are back on the fresh broker.
    EXPECT_TRUE(ha.wait_for("homeassistant/sensor/kamgw_12345678/heat_energy/config", 1, 10s));
    EXPECT_EQ(ha.last_on("kamgw/testgw/status")->payload, "online");
    EXPECT_EQ(host.logger.count("lost the connection"), 1u);
    sink->stop();
}

}  // namespace
}  // namespace kamgw::mqtt_ha::test

namespace kamgw::mqtt_ha::test {
namespace {

TEST(MqttHaLastWill, KilledProcessTurnsTheGatewayOffline) {
    kt::TempDir dir;
    Broker broker(dir);
    Recorder ha(broker.port(), {"kamgw/testgw/status", state_topic});
    kt::ChildProcess runner({MQTT_HA_SINK_RUNNER, std::to_string(broker.port()), (dir / "state").string()},
                            dir / "runner.log", {{"KAMGW_PLUGIN_DIR", kt::plugin_dir().string()}});
    ASSERT_TRUE(kt::wait_until([&] { return runner.log().find("ready") != std::string::npos; }, 30s)) << runner.log();
    ASSERT_TRUE(ha.wait_for(state_topic, 1, 10s));
    ASSERT_EQ(ha.last_on("kamgw/testgw/status")->payload, "online");
    runner.kill_hard();  // no clean stop: only the broker's last will can say so
    ASSERT_TRUE(kt::wait_until(
        [&] {
            auto m = ha.last_on("kamgw/testgw/status");
            return m && m->payload == "offline";
        },
        20s));
    // The will is retained: Home Assistant starting later still sees the gateway offline.
    Recorder later(broker.port(), {"kamgw/testgw/status"});
    ASSERT_TRUE(later.wait_for("kamgw/testgw/status", 1, 10s));
    EXPECT_EQ(later.last_on("kamgw/testgw/status")->payload, "offline");
    EXPECT_TRUE(later.last_on("kamgw/testgw/status")->retain);
}

}  // namespace
}  // namespace kamgw::mqtt_ha::test
