#include "plugins/sink-mqtt/mqtt_sink.hpp"

#include "plugins/sink-mqtt/payloads.hpp"

namespace kamgw::plain_mqtt {

MqttSink::~MqttSink() { stop(); }

void MqttSink::start(SinkHost& host) {
    host_ = &host;
    options_ = options_from_config(host.config(), host.gateway_id(), host.instance_name());
    if (!options_.topic.uses(Placeholder::gateway))
        host.log().warn("topic '" + options_.topic.text() +
                        "' has no {gateway}: another gateway on this broker with a meter of the same name or "
                        "serial would write the same topics");
    mqtt::MqttClient::Callbacks callbacks;
    callbacks.on_connected = [this] { host_->wake(std::chrono::milliseconds(0)); };
    host.log().info("publishing to " + options_.url + " as '" + options_.client_id + "' on '" + options_.topic.text() +
                    "', availability on '" + options_.availability_topic + "'");
    client_ = std::make_unique<mqtt::MqttClient>(
        options_, mqtt::Session{.availability_topic = options_.availability_topic}, host.log(), std::move(callbacks));
    client_->start();
}

void MqttSink::stop() {
    if (client_) client_->stop();
}

WriteResult MqttSink::write(std::span<const ReadingBatch> batches) {
    if (!client_ || !client_->connected())
        return WriteResult::retry("not connected to the MQTT broker at " + options_.url);
    republish_after_reconnect();
    std::vector<int> ids;
    for (const ReadingBatch& batch : batches) {
        if (batch.meter.serial.empty() && options_.topic.uses(Placeholder::serial)) {
            if (!unidentified_warned_[batch.meter.name])
                host_->log().warn("meter '" + batch.meter.name +
                                  "' has no serial number yet and the topic uses {serial}; its readings are not "
                                  "published until it is identified");
            unidentified_warned_[batch.meter.name] = true;
            continue;
        }
        std::vector<mqtt::MqttMessage> messages = poll_messages(options_, host_->gateway_id(), batch);
        for (const mqtt::MqttMessage& m : messages) {
            const auto id = client_->publish(m);
            if (!id) return WriteResult::retry("the MQTT client refused a publish to " + m.topic);
            ids.push_back(*id);
        }
        latest_[batch.meter.name] = std::move(messages);
    }
    // Done only when the broker has every message (PUBACK at QoS 1): libmosquitto keeps the
    // unacknowledged ones in memory only, the core keeps them in its journal until `ok`.
    if (!client_->wait_acknowledged(ids, options_.publish_timeout))
        return WriteResult::retry("the MQTT broker did not acknowledge the readings in time");
    return WriteResult::ok();
}

void MqttSink::idle() {
    if (!client_) return;
    client_->service();
    if (client_->connected()) republish_after_reconnect();
    if (const auto due = client_->next_service()) {
        const auto now = std::chrono::steady_clock::now();
        host_->wake(std::chrono::duration_cast<std::chrono::milliseconds>(std::max(*due - now, now - now)));
    }
}

void MqttSink::republish_after_reconnect() {
    const std::uint64_t connects = client_->connect_count();
    if (connects == handled_connects_) return;
    handled_connects_ = connects;
    if (!options_.retain) return;  // nothing retained to restore: the next poll brings news
    for (const auto& [meter, messages] : latest_)
        for (const mqtt::MqttMessage& m : messages) client_->publish_and_forget(m);
}

}  // namespace kamgw::plain_mqtt
