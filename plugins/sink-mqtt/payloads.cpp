#include "plugins/sink-mqtt/payloads.hpp"

#include "kamgw/reading_json.hpp"

namespace kamgw::plain_mqtt {

std::vector<mqtt::MqttMessage> poll_messages(const Options& o, std::string_view gateway, const ReadingBatch& batch) {
    TopicFields fields{
        .gateway = gateway, .meter = batch.meter.name, .serial = batch.meter.serial, .model = batch.meter.model};
    if (o.payload == PayloadMode::poll) return {{o.topic.expand(fields), batch_json(batch), o.retain}};
    std::vector<mqtt::MqttMessage> out;
    for (const Reading& r : batch.readings) {
        if (r.quality == Quality::error) continue;
        fields.key = r.key;
        fields.id = r.register_id;
        out.push_back({o.topic.expand(fields),
                       o.payload == PayloadMode::value ? r.value.to_string() : reading_json(batch.meter, r), o.retain});
    }
    return out;
}

}  // namespace kamgw::plain_mqtt
