#include "tests/integration/daemon-sinks/mqtt_watcher.hpp"

#include <gtest/gtest.h>
#include <mosquitto.h>

#include "tests/support/process.hpp"

namespace kamgw::test::daemon_sinks {

MqttWatcher::MqttWatcher(std::uint16_t port, std::vector<std::string> subscriptions)
    : subscriptions_(std::move(subscriptions)) {
    mosquitto_lib_init();
    mosq_ = mosquitto_new(nullptr, true, this);
    mosquitto_int_option(mosq_, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
    mosquitto_reconnect_delay_set(mosq_, 1, 1, false);
    mosquitto_connect_callback_set(mosq_, [](mosquitto*, void* self, int rc) {
        if (rc != 0) return;
        auto* w = static_cast<MqttWatcher*>(self);
        {
            std::lock_guard lock(w->mutex_);
            ++w->connections_;
        }
        w->subscribe();
    });
    mosquitto_subscribe_callback_set(mosq_, [](mosquitto*, void* self, int, int, const int*) {
        auto* w = static_cast<MqttWatcher*>(self);
        std::lock_guard lock(w->mutex_);
        ++w->subscribed_;
    });
    mosquitto_message_callback_set(mosq_, [](mosquitto*, void* self, const mosquitto_message* m) {
        auto* w = static_cast<MqttWatcher*>(self);
        std::lock_guard lock(w->mutex_);
        w->messages_.push_back(
            {m->topic, std::string(static_cast<const char*>(m->payload), static_cast<std::size_t>(m->payloadlen)),
             m->retain, w->connections_});
    });
    EXPECT_EQ(mosquitto_connect(mosq_, "127.0.0.1", port, 10), MOSQ_ERR_SUCCESS);
    mosquitto_loop_start(mosq_);
    EXPECT_TRUE(wait_subscribed(1, std::chrono::seconds(20)));
}

MqttWatcher::~MqttWatcher() {
    mosquitto_disconnect(mosq_);
    mosquitto_loop_stop(mosq_, false);
    mosquitto_destroy(mosq_);
}

void MqttWatcher::subscribe() {
    std::vector<char*> subs;
    for (auto& s : subscriptions_) subs.push_back(s.data());
    mosquitto_subscribe_multiple(mosq_, nullptr, static_cast<int>(subs.size()), subs.data(), 1, 0, nullptr);
}

std::vector<MqttMessage> MqttWatcher::on(const std::string& topic) const {
    std::lock_guard lock(mutex_);
    std::vector<MqttMessage> out;
    for (const auto& m : messages_)
        if (m.topic == topic) out.push_back(m);
    return out;
}

std::vector<MqttMessage> MqttWatcher::starting_with(const std::string& prefix) const {
    std::lock_guard lock(mutex_);
    std::vector<MqttMessage> out;
    for (const auto& m : messages_)
        if (m.topic.rfind(prefix, 0) == 0) out.push_back(m);
    return out;
}

std::optional<MqttMessage> MqttWatcher::last_on(const std::string& topic) const {
    auto all = on(topic);
    if (all.empty()) return std::nullopt;
    return all.back();
}

int MqttWatcher::subscribed_connections() const {
    std::lock_guard lock(mutex_);
    return subscribed_;
}

bool MqttWatcher::wait_for(const std::string& topic, std::size_t count, std::chrono::milliseconds timeout) const {
    return wait_until([&] { return on(topic).size() >= count; }, timeout);
}

bool MqttWatcher::wait_subscribed(int connections, std::chrono::milliseconds timeout) const {
    return wait_until([&] { return subscribed_connections() >= connections; }, timeout);
}

void MqttWatcher::publish(const std::string& topic, const std::string& payload, bool retain) {
    mosquitto_publish(mosq_, nullptr, topic.c_str(), static_cast<int>(payload.size()), payload.data(), 1, retain);
}

}  // namespace kamgw::test::daemon_sinks
