// The plain mqtt sink: readings on topics of the user's choosing, for hubs that subscribe to
// MQTT topics themselves (openHAB, ioBroker, Node-RED, FHEM, Homey …).
//
// Formatting is in payloads.cpp; this class publishes, answers `ok` only after the broker
// acknowledged every message of a write, and after a new connection republishes each
// meter's latest messages (a broker restarted without persistence forgets retained ones).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "kamgw/sink.hpp"
#include "plugins/common/mqtt/mqtt_client.hpp"
#include "plugins/sink-mqtt/options.hpp"

namespace kamgw::plain_mqtt {

class MqttSink final : public Sink {
public:
    MqttSink() = default;
    ~MqttSink() override;

    void start(SinkHost& host) override;
    WriteResult write(std::span<const ReadingBatch> batches) override;
    void idle() override;
    void stop() override;

private:
    void republish_after_reconnect();

    SinkHost* host_ = nullptr;
    Options options_;
    std::unique_ptr<mqtt::MqttClient> client_;
    std::map<std::string, std::vector<mqtt::MqttMessage>> latest_;  // meter name -> its last poll's messages
    std::uint64_t handled_connects_ = 0;
    std::map<std::string, bool> unidentified_warned_;
};

}  // namespace kamgw::plain_mqtt
