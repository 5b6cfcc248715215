#include "plugins/sink-mqtt-ha/mqtt_ha_sink.hpp"

#include "plugins/sink-mqtt-ha/discovery_validator.hpp"
#include "plugins/sink-mqtt-ha/ha_release_probe.hpp"
#include "plugins/sink-mqtt-ha/state_payload.hpp"
#include "plugins/sink-mqtt-ha/topics.hpp"

namespace kamgw::mqtt_ha {
namespace {

constexpr std::string_view gateway_device_key = "_gateway";

std::string_view read_result_text(ReadRequestResult r) {
    switch (r) {
        case ReadRequestResult::accepted:
            return "scheduled";
        case ReadRequestResult::rate_limited:
            return "refused: the meter was read too recently (its battery comes first)";
        case ReadRequestResult::unknown_meter:
            return "refused: no such meter";
    }
    return "?";
}

}  // namespace

MqttHaSink::~MqttHaSink() { stop(); }

void MqttHaSink::start(SinkHost& host) {
    host_ = &host;
    options_ = options_from_config(host.config(), host.gateway_id());
    gateway_ = {host.gateway_id(), host.gateway_version()};
    meters_ = host.meters();
    published_ = PublishedEntities(host.state_dir() / "published-discovery.json");
    std::string error;
    if (!published_.load(error)) host.log().warn(error);
    choose_form();

    mqtt::MqttClient::Callbacks callbacks;
    callbacks.on_message = [this](const std::string& topic, const std::string& payload) { on_message(topic, payload); };
    // A new connection is caught up on the lane thread (discovery, availability, states).
    callbacks.on_connected = [this] { host_->wake(std::chrono::milliseconds(0)); };
    host.log().info("publishing to " + options_.url + " as '" + options_.client_id + "': discovery under '" +
                    options_.discovery_prefix + "', states under '" + options_.base_topic + "'");
    mqtt::Session session{
        .availability_topic = gateway_status_topic(options_),
        .subscriptions = {{options_.status_topic, 0}, {read_now_subscription(options_), options_.qos}}};
    client_ = std::make_unique<mqtt::MqttClient>(options_, std::move(session), host.log(), std::move(callbacks));
    client_->start();
}

void MqttHaSink::choose_form() {
    if (options_.compat) {
        host_->log().info("discovery written for Home Assistant " + form_name(options_.form) + " (ha_compat)");
        return;
    }
    if (!options_.ha_url.empty()) {
        learn_release();
        return;
    }
    if (options_.discovery == DiscoveryMode::device) {
        host_->log().warn(
            "discovery = \"device\" needs Home Assistant 2024.11 or later, and its release is unknown (no ha_url): "
            "an older Home Assistant ignores these configs without a word; set ha_url and ha_token so kamgw "
            "checks, or discovery = \"entity\"");
        return;
    }
    host_->log().info(
        "Home Assistant's release is unknown (no ha_url): discovery is written in the form every release since "
        "2022.10 accepts, without the device's serial_number and without device classes older releases refuse "
        "(water before 2022.11, volume_flow_rate before 2024.2); set ha_url and ha_token, or ha_compat, for the "
        "form of the release you run");
}

void MqttHaSink::learn_release() {
    const ReleaseAnswer answer =
        ask_ha_release(options_.ha_url, options_.ha_token, options_.ha_ca_file, release_timeout);
    if (!answer.release.known()) {
        release_due_ = std::chrono::steady_clock::now() + release_retry;
        const std::string line = "cannot learn Home Assistant's release: " + answer.error +
                                 "; discovery stays in the " +
                                 (ha_version_.empty() ? "form every release since 2022.10 accepts"
                                                      : "form for " + form_name(options_.form)) +
                                 ", asking again at Home Assistant's next birth message and every " +
                                 std::to_string(release_retry.count()) + " s";
        if (release_failure_logged_)
            host_->log().debug(line);
        else
            host_->log().warn(line);
        release_failure_logged_ = true;
        return;
    }
    release_due_.reset();
    release_failure_logged_ = false;
    const DiscoveryForm before = options_.form;
    const bool first = ha_version_.empty();
    ha_version_ = answer.version;
    options_.form = form_for(answer.release);
    if (options_.discovery == DiscoveryMode::device && !answer.release.at_least(device_discovery_since)) {
        host_->log().error("Home Assistant " + answer.version +
                           " has no device-based discovery (2024.11 and later): publishing one config per entity");
        options_.discovery = DiscoveryMode::entity;
    }
    const bool changed = before.every_release != options_.form.every_release ||
                         before.release.year != options_.form.release.year ||
                         before.release.month != options_.form.release.month;
    if (first || changed)
        host_->log().info("Home Assistant " + answer.version + " at " + options_.ha_url + ": discovery written for " +
                          form_name(options_.form));
    if (changed && client_ && client_->connected()) rewrite_discovery();
}

void MqttHaSink::rewrite_discovery() {
    for (auto& [serial, meter] : by_serial_) {
        if (!meter.last.meter.serial.empty()) announce(meter, meter.last, nullptr);
    }
}

void MqttHaSink::stop() {
    if (client_) client_->stop();
}

MeterContext MqttHaSink::context_for(const MeterIdentity& meter) const {
    MeterContext c;
    for (const MeterInfo& info : meters_) {
        if (info.identity.name != meter.name) continue;
        c.interval = info.interval;
        c.configured_keys = info.register_keys;
    }
    return c;
}

WriteResult MqttHaSink::write(std::span<const ReadingBatch> batches) {
    if (!client_ || !client_->connected())
        return WriteResult::retry("not connected to the MQTT broker at " + options_.url);
    catch_up();
    std::vector<int> ids;
    for (const ReadingBatch& batch : batches) {
        const std::string& serial = batch.meter.serial;
        if (serial.empty()) {
            // Home Assistant ids are built from the serial; without it there is nothing to address.
            if (!unidentified_warned_[batch.meter.name])
                host_->log().warn("meter '" + batch.meter.name +
                                  "' has no serial number yet; its readings are not published until it is identified");
            unidentified_warned_[batch.meter.name] = true;
            continue;
        }
        {
            std::lock_guard lock(names_mutex_);
            meter_names_[serial] = batch.meter.name;
        }
        MeterState& meter = by_serial_[serial];
        if (!announce(meter, batch, &ids)) return WriteResult::retry("publishing discovery failed");
        meter.last = batch;
        std::vector<MqttMessage> messages = meter_attributes(options_, batch);
        messages.push_back(meter_state(options_, batch));
        for (const MqttMessage& m : messages) {
            const auto id = client_->publish(m);
            if (!id) return WriteResult::retry("the MQTT client refused a publish to " + m.topic);
            ids.push_back(*id);
        }
    }
    // A write is done when the broker has acknowledged every message (PUBACK at QoS 1). Only
    // then may the core forget the batches: libmosquitto keeps unacknowledged messages in
    // memory only, so a crash before the PUBACK would otherwise lose readings.
    if (!client_->wait_acknowledged(ids, options_.publish_timeout))
        return WriteResult::retry("the MQTT broker did not acknowledge the readings in time");
    return WriteResult::ok();
}

bool MqttHaSink::announce(MeterState& meter, const ReadingBatch& batch, std::vector<int>* ids) {
    std::vector<MqttMessage> discovery = meter_discovery(options_, gateway_, batch, context_for(batch.meter));
    if (discovery == meter.discovery) return true;
    const std::set<std::string> topics = publish_discovery(discovery, ids);
    remove_stale(batch.meter.serial, topics, ids);
    meter.discovery = std::move(discovery);
    return true;
}

std::set<std::string> MqttHaSink::publish_discovery(const std::vector<MqttMessage>& messages, std::vector<int>* ids) {
    std::set<std::string> topics;
    for (const MqttMessage& m : messages) {
        const auto problems = validate_discovery_message(m.topic, m.payload, options_.discovery_prefix, options_.form);
        if (!problems.empty()) {
            std::string text;
            for (const auto& p : problems) text += (text.empty() ? "" : "; ") + p;
            host_->log().error("not publishing " + m.topic + ", Home Assistant would refuse it: " + text);
            continue;
        }
        if (ids) {
            if (auto id = client_->publish(m)) ids->push_back(*id);
        } else {
            client_->publish_and_forget(m);
        }
        topics.insert(m.topic);
    }
    return topics;
}

void MqttHaSink::remove_stale(const std::string& device, const std::set<std::string>& topics, std::vector<int>* ids) {
    const auto gone = published_.replace(device, topics);
    for (const std::string& topic : gone) {
        host_->log().info("removing " + topic + " from Home Assistant: no longer configured");
        const MqttMessage removal = discovery_removal(topic);
        if (ids) {
            if (auto id = client_->publish(removal)) ids->push_back(*id);
        } else {
            client_->publish_and_forget(removal);
        }
    }
    if (!gone.empty() || !topics.empty()) save_published();
}

void MqttHaSink::save_published() {
    std::string error;
    if (!published_.save(error)) host_->log().warn(error);
}

void MqttHaSink::status(const MeterStatus& s) {
    if (s.meter.serial.empty() || s.health == MeterHealth::starting) return;
    const bool online = s.health == MeterHealth::ok;
    auto [it, inserted] = availability_.try_emplace(s.meter.serial, online);
    const bool changed = inserted || it->second != online;
    it->second = online;
    if (changed && client_ && client_->connected())
        client_->publish_and_forget(meter_availability(options_, s.meter.serial, online));
}

void MqttHaSink::idle() {
    if (!client_) return;
    client_->service();
    if (client_->connected()) catch_up();
    // Ask for the next call only when something is due: an idle gateway sleeps.
    const auto now = std::chrono::steady_clock::now();
    std::optional<std::chrono::steady_clock::time_point> due = client_->next_service();
    if (states_due_ && (!due || *states_due_ < *due)) due = states_due_;
    // Asked only while connected: the answer is for publishing.
    if (release_due_ && client_->connected() && (!due || *release_due_ < *due)) due = release_due_;
    if (due) host_->wake(std::chrono::duration_cast<std::chrono::milliseconds>(std::max(*due - now, now - now)));
}

void MqttHaSink::catch_up() {
    const std::uint64_t connects = client_->connect_count();
    if (connects != handled_connects_) {
        // A new connection: the broker may have restarted without its retained messages.
        handled_connects_ = connects;
        republish_discovery();
        for (const auto& [serial, online] : availability_)
            client_->publish_and_forget(meter_availability(options_, serial, online));
        republish_states();
        states_due_.reset();
        birth_seen_ = false;
    }
    if (birth_seen_.exchange(false)) {
        host_->log().info("Home Assistant came online: republishing discovery, then states");
        // An update is the usual reason Home Assistant restarted: its release may be new.
        if (!options_.compat && !options_.ha_url.empty()) learn_release();
        republish_discovery();
        states_due_ = std::chrono::steady_clock::now() + states_after_birth;
    }
    if (release_due_ && std::chrono::steady_clock::now() >= *release_due_) learn_release();
    if (states_due_ && std::chrono::steady_clock::now() >= *states_due_) {
        states_due_.reset();
        republish_states();
    }
}

void MqttHaSink::republish_discovery() {
    const std::set<std::string> gateway_topics = publish_discovery(gateway_discovery(options_, gateway_), nullptr);
    remove_stale(std::string(gateway_device_key), gateway_topics, nullptr);
    client_->publish_and_forget(gateway_state(options_, gateway_));
    for (auto& [serial, meter] : by_serial_) {
        if (meter.discovery.empty()) continue;
        publish_discovery(meter.discovery, nullptr);
    }
}

void MqttHaSink::republish_states() {
    for (const auto& [serial, meter] : by_serial_) {
        if (meter.last.meter.serial.empty()) continue;
        for (const MqttMessage& m : meter_attributes(options_, meter.last)) client_->publish_and_forget(m);
        client_->publish_and_forget(meter_state(options_, meter.last));
    }
}

void MqttHaSink::on_message(const std::string& topic, const std::string& payload) {
    if (topic == options_.status_topic) {
        if (payload == "online") {
            birth_seen_ = true;
            host_->wake(std::chrono::milliseconds(0));
        }
        return;
    }
    // <base>/<serial>/read_now/set
    const std::string prefix = options_.base_topic + "/";
    const std::string suffix = "/read_now/set";
    if (!topic.starts_with(prefix) || !topic.ends_with(suffix) || topic.size() <= prefix.size() + suffix.size()) return;
    const std::string serial = topic.substr(prefix.size(), topic.size() - prefix.size() - suffix.size());
    std::string name;
    {
        std::lock_guard lock(names_mutex_);
        const auto it = meter_names_.find(serial);
        if (it != meter_names_.end()) name = it->second;
    }
    if (name.empty()) {
        host_->log().warn("'Read now' for unknown meter serial '" + serial + "' ignored");
        return;
    }
    const ReadRequestResult result = host_->request_read(name);
    host_->log().info("'Read now' from Home Assistant for meter '" + name +
                      "': " + std::string(read_result_text(result)));
}

}  // namespace kamgw::mqtt_ha
