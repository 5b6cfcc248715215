// A libmosquitto client with its own network thread (mosquitto_loop_start), a retained
// availability topic with its last will, reconnects with exponential backoff, and a slow,
// quiet retry after a refused login. Both MQTT sinks use it.
//
// Threads: the network thread runs the callbacks; every public member is meant for the
// sink's lane thread and is safe against the callbacks.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "kamgw/log.hpp"
#include "plugins/common/mqtt/connection_options.hpp"
#include "plugins/common/mqtt/message.hpp"

struct mosquitto;
struct mosquitto_message;

namespace kamgw::mqtt {

// What the client announces and listens to on every connection.
struct Session {
    // "online" (retained) after every connect, "offline" as the last will and on a clean stop.
    std::string availability_topic;
    struct Subscription {
        std::string filter;
        int qos = 0;
    };
    std::vector<Subscription> subscriptions;  // subscribed again on every connect
};

class MqttClient {
public:
    struct Callbacks {
        // After every successful CONNACK, on the network thread (keep it short).
        std::function<void()> on_connected;
        // A message on a subscribed topic, on the network thread.
        std::function<void(const std::string& topic, const std::string& payload)> on_message;
    };

    // Pause after the first refused login; it doubles up to refused_retry_max.
    static constexpr std::chrono::seconds refused_retry_first{120};
    static constexpr std::chrono::seconds refused_retry_max{1800};

    MqttClient(ConnectionOptions options, Session session, Logger& log, Callbacks callbacks);
    ~MqttClient();
    MqttClient(const MqttClient&) = delete;
    MqttClient& operator=(const MqttClient&) = delete;

    // Creates the client and starts connecting in the background. Throws std::runtime_error
    // for settings libmosquitto refuses (unreadable TLS files, bad client id).
    void start();
    // Publishes "offline" on the availability topic (a clean stop is no crash, but the gateway is
    // gone all the same), disconnects and joins the network thread.
    void stop();

    [[nodiscard]] bool connected() const { return connected_.load(); }
    // How many times a connection was accepted; the sink republishes when this changes.
    [[nodiscard]] std::uint64_t connect_count() const { return connect_count_.load(); }

    // Queues a message. Returns its message id, or nullopt when libmosquitto refused it.
    std::optional<int> publish(const MqttMessage& message);
    // Queues a message whose acknowledgement nobody waits for.
    bool publish_and_forget(const MqttMessage& message);
    // Waits until the broker acknowledged every id (QoS 1/2: PUBACK/PUBCOMP; QoS 0: written
    // to the socket). False on timeout.
    bool wait_acknowledged(const std::vector<int>& ids, std::chrono::milliseconds timeout);

    // Called from the lane: starts the next attempt after a refused login, or after a first
    // connect that failed at once, when its pause is over.
    void service();
    // When service() has something to do next; nothing while the network thread handles it.
    [[nodiscard]] std::optional<std::chrono::steady_clock::time_point> next_service() const;

private:
    static void on_connect_cb(mosquitto*, void* self, int rc);
    static void on_disconnect_cb(mosquitto*, void* self, int rc);
    static void on_publish_cb(mosquitto*, void* self, int mid);
    static void on_message_cb(mosquitto*, void* self, const mosquitto_message* message);
    void handle_connect(int rc);
    void begin_connect();  // lane thread: one connection attempt, then the network thread
    void schedule_connect_retry();
    void handle_disconnect(int rc);
    void handle_publish(int mid);

    ConnectionOptions options_;
    Session session_;
    Logger& log_;
    Callbacks callbacks_;
    mosquitto* mosq_ = nullptr;
    bool loop_running_ = false;                                              // lane thread only
    std::optional<std::chrono::steady_clock::time_point> connect_retry_at_;  // lane thread only
    std::chrono::seconds connect_pause_{1};

    std::atomic<bool> connected_{false};
    std::atomic<std::uint64_t> connect_count_{0};
    std::atomic<bool> refused_{false};  // set by the network thread; the lane restarts the loop
    std::atomic<bool> stopping_{false};
    std::chrono::steady_clock::time_point refused_retry_at_;
    std::chrono::seconds refused_pause_{refused_retry_first};
    bool lost_logged_ = false;  // network thread only

    mutable std::mutex mutex_;
    std::condition_variable acked_cv_;
    std::set<int> acked_;   // acknowledged ids somebody may still wait for
    std::set<int> forget_;  // ids nobody waits for, not acknowledged yet
};

}  // namespace kamgw::mqtt
