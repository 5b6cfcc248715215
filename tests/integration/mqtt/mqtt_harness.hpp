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

class RecordingLogger final : public Logger {
public:
    void log(LogLevel level, std::string_view message) override;
    [[nodiscard]] bool enabled(LogLevel) const override { return true; }
    [[nodiscard]] std::vector<std::string> lines() const;
    [[nodiscard]] std::size_t count(const std::string& text) const;

private:
    mutable std::mutex mutex_;
    std::vector<std::string> lines_;
};

class TestHost final : public SinkHost {
public:
    TestHost(ConfigTable config, std::filesystem::path state_dir, std::vector<MeterInfo> meters);
    Logger& log() override { return log_; }
    const ConfigTable& config() const override { return config_; }
    const std::string& instance_name() const override { return name_; }
    const std::string& gateway_id() const override { return gateway_; }
    const std::string& gateway_version() const override { return version_; }
    std::filesystem::path state_dir() const override { return state_dir_; }
    std::vector<MeterInfo> meters() const override { return meters_; }
    ReadRequestResult request_read(const std::string& meter_name) override;
    // These tests call idle() themselves.
    void wake(std::chrono::milliseconds) override {}

    RecordingLogger log_;
    [[nodiscard]] std::vector<std::string> read_requests() const;

private:
    ConfigTable config_;
    std::filesystem::path state_dir_;
    std::vector<MeterInfo> meters_;
    std::string name_ = "mqtt-ha", gateway_ = "testgw", version_ = "0.1.0";
    mutable std::mutex mutex_;
    std::vector<std::string> reads_;
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

// Writes batches the way a core lane does: retries with a short pause until ok or timeout.
WriteResult write_until_ok(Sink& sink, std::span<const ReadingBatch> batches, std::chrono::milliseconds timeout);

// Calls idle() every 50 ms on the calling thread (as the lane does between writes) until
// `done` is true or the timeout passes; returns done().
bool idle_until(Sink& sink, const std::function<bool()>& done, std::chrono::milliseconds timeout);

}  // namespace kamgw::mqtt_ha::test
