// The mqtt-ha sink: Home Assistant MQTT discovery, JSON states and availability per meter.
//
// The formatting is in discovery.cpp and state_payload.cpp (pure functions); this class
// decides when to publish what, keeps what it needs to republish after a broker or Home
// Assistant restart, and talks to the broker through MqttClient.
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "kamgw/sink.hpp"
#include "plugins/sink-mqtt-ha/discovery.hpp"
#include "plugins/common/mqtt/mqtt_client.hpp"
#include "plugins/sink-mqtt-ha/options.hpp"
#include "plugins/sink-mqtt-ha/published_entities.hpp"

namespace kamgw::mqtt_ha {

class MqttHaSink final : public Sink {
public:
    // How long after Home Assistant's birth message the states follow the discovery configs,
    // so Home Assistant has created the entities before their values arrive.
    static constexpr std::chrono::milliseconds states_after_birth{2000};

    MqttHaSink() = default;
    ~MqttHaSink() override;

    void start(SinkHost& host) override;
    WriteResult write(std::span<const ReadingBatch> batches) override;
    void status(const MeterStatus& status) override;
    void idle() override;
    void stop() override;

private:
    struct MeterState {
        ReadingBatch last;                   // the newest batch, for republishing its state
        std::vector<MqttMessage> discovery;  // what was last announced
    };

    MeterContext context_for(const MeterIdentity& meter) const;
    // Publishes the meter's discovery when it differs from what was announced before, and
    // deletes entities that are gone. Adds the ids to wait for to `ids` (none: nobody waits,
    // as for a rewrite outside a write); false on failure.
    bool announce(MeterState& meter, const ReadingBatch& batch, std::vector<int>* ids);
    // Validates and publishes discovery messages; returns the topics it published.
    std::set<std::string> publish_discovery(const std::vector<MqttMessage>& messages, std::vector<int>* ids);
    void remove_stale(const std::string& device, const std::set<std::string>& topics, std::vector<int>* ids);
    void save_published();
    // After a reconnect or a birth message: everything again.
    void catch_up();
    // The form the discovery is written in: from ha_compat, Home Assistant's answer at ha_url,
    // or every release; logged once at start.
    void choose_form();
    // Asks ha_url for Home Assistant's release; a new release rewrites every discovery config.
    void learn_release();
    void rewrite_discovery();
    void republish_discovery();
    void republish_states();
    void on_message(const std::string& topic, const std::string& payload);

    SinkHost* host_ = nullptr;
    Options options_;
    GatewayInfo gateway_;
    std::vector<MeterInfo> meters_;
    std::unique_ptr<mqtt::MqttClient> client_;
    PublishedEntities published_;

    std::map<std::string, MeterState> by_serial_;
    std::map<std::string, bool> availability_;  // serial -> online
    std::uint64_t handled_connects_ = 0;
    std::optional<std::chrono::steady_clock::time_point> states_due_;
    std::map<std::string, bool> unidentified_warned_;
    // Asking Home Assistant its release (ha_compat = "auto" with ha_url).
    static constexpr std::chrono::seconds release_retry{60};
    static constexpr std::chrono::seconds release_timeout{5};
    std::optional<std::chrono::steady_clock::time_point> release_due_;  // none: not asking
    bool release_failure_logged_ = false;
    std::string ha_version_;  // as Home Assistant last answered

    std::atomic<bool> birth_seen_{false};  // set by the network thread
    mutable std::mutex names_mutex_;
    std::map<std::string, std::string> meter_names_;  // serial -> [[meter]] name, for "Read now"
};

}  // namespace kamgw::mqtt_ha
