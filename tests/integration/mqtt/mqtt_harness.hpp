// What the mqtt-ha integration tests share: a real mosquitto broker in a temporary folder,
// the plugin loaded from $KAMGW_PLUGIN_DIR, a SinkHost that records what the sink asks of
// the core, and a subscriber that records what arrives at the broker.
#pragma once

#include <boost/dll/shared_library.hpp>
#include <chrono>
#include <filesystem>
#include <functional>
#include <span>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "kamgw/plugin.hpp"
#include "kamgw/sink.hpp"
#include "kamgw/testing.hpp"
#include "tests/support/network.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

struct mosquitto;

namespace kamgw::mqtt_ha::test {

struct BrokerSettings {
    bool password = false;  // allow_anonymous false + a password file with user/pass below
    std::string user = "kamgw";
    std::string pass = "s3cret";
    bool tls = false;  // a second listener with TLS; certificates are made with openssl
};

// mosquitto on 127.0.0.1:port() (plain) and, with tls, on tls_port().
class Broker {
public:
    Broker(const kamgw::test::TempDir& dir, BrokerSettings settings = {});
    ~Broker();
    void start();
    void stop();
    [[nodiscard]] std::uint16_t port() const { return port_; }
    [[nodiscard]] std::uint16_t tls_port() const { return tls_port_; }
    [[nodiscard]] std::filesystem::path ca_file() const { return dir_ / "ca.crt"; }
    [[nodiscard]] std::string log() const;
    [[nodiscard]] std::size_t count_in_log(const std::string& text) const;

private:
    std::filesystem::path dir_;
    BrokerSettings settings_;
    std::uint16_t port_ = 0, tls_port_ = 0;
    std::optional<kamgw::test::ChildProcess> process_;
};

struct Received {
    std::string topic;
    std::string payload;
    bool retain = false;
};

// A libmosquitto subscriber that records every message.
class Recorder {
public:
    Recorder(std::uint16_t port, const std::vector<std::string>& subscriptions, const BrokerSettings& auth = {});
    ~Recorder();
    [[nodiscard]] std::vector<Received> messages() const;
    [[nodiscard]] std::vector<Received> on(const std::string& topic) const;
    [[nodiscard]] std::optional<Received> last_on(const std::string& topic) const;
    bool wait_for(const std::string& topic, std::size_t count, std::chrono::milliseconds timeout) const;
    void publish(const std::string& topic, const std::string& payload, bool retain = false);

private:
    mosquitto* mosq_ = nullptr;
    mutable std::mutex mutex_;
    std::vector<Received> messages_;
    bool subscribed_ = false;
};

// The SDK's test host as the mqtt-ha sink is named.
class TestHost final : public kamgw::testing::TestSinkHost {
public:
    TestHost(ConfigTable config, std::filesystem::path state_dir, std::vector<MeterInfo> meters)
        : TestSinkHost(std::move(config), std::move(state_dir), std::move(meters)) {
        instance = "mqtt-ha";
        gateway = "testgw";
        version = "0.1.0";
    }
};

// The plugin file, loaded and checked; make() creates sinks. Keep it alive longer than them.
class LoadedPlugin {
public:
    LoadedPlugin();
    [[nodiscard]] const PluginDescriptor& descriptor() const { return *descriptor_; }
    [[nodiscard]] std::unique_ptr<Sink> make() const { return descriptor_->make_sink(); }

private:
    boost::dll::shared_library library_;
    const PluginDescriptor* descriptor_ = nullptr;
};

// The meter list the tests' host reports: "house", hourly, with the MC403 batch's keys.
std::vector<MeterInfo> house_meter();

using kamgw::testing::idle_until;
using kamgw::testing::write_until_done;

}  // namespace kamgw::mqtt_ha::test
