// A libmosquitto subscriber for tests that must see everything a client publishes across a
// broker restart: it reconnects every second and subscribes again on every connect, since a
// restarted broker without persistence forgets subscriptions.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

struct mosquitto;

namespace kamgw::test::daemon_sinks {

struct MqttMessage {
    std::string topic;
    std::string payload;
    bool retain = false;
    int connection = 0;  // which of the watcher's connections received it (1, 2, …)
};

class MqttWatcher {
public:
    MqttWatcher(std::uint16_t port, std::vector<std::string> subscriptions);
    ~MqttWatcher();
    MqttWatcher(const MqttWatcher&) = delete;
    MqttWatcher& operator=(const MqttWatcher&) = delete;

    [[nodiscard]] std::vector<MqttMessage> on(const std::string& topic) const;
    [[nodiscard]] std::vector<MqttMessage> starting_with(const std::string& prefix) const;
    [[nodiscard]] std::optional<MqttMessage> last_on(const std::string& topic) const;
    [[nodiscard]] int subscribed_connections() const;  // connects whose subscription was acknowledged
    bool wait_for(const std::string& topic, std::size_t count, std::chrono::milliseconds timeout) const;
    bool wait_subscribed(int connections, std::chrono::milliseconds timeout) const;
    void publish(const std::string& topic, const std::string& payload, bool retain = false);

private:
    void subscribe();

    mosquitto* mosq_ = nullptr;
    std::vector<std::string> subscriptions_;
    mutable std::mutex mutex_;
    std::vector<MqttMessage> messages_;
    int connections_ = 0;
    int subscribed_ = 0;
};

}  // namespace kamgw::test::daemon_sinks
