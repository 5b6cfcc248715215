#include "plugins/common/mqtt/mqtt_client.hpp"

#include <mosquitto.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace kamgw::mqtt {
namespace {

std::string minutes_text(std::chrono::seconds s) {
    return s.count() % 60 == 0 ? std::to_string(s.count() / 60) + " min" : std::to_string(s.count()) + " s";
}

void check(int rc, const std::string& what) {
    if (rc != MOSQ_ERR_SUCCESS) throw std::runtime_error(what + ": " + mosquitto_strerror(rc));
}

// libmosquitto's reconnect backoff: 1 s, 4 s, 9 s, … (delay × attempts²), at most a minute.
constexpr unsigned reconnect_delay_first = 1;
constexpr unsigned reconnect_delay_max = 60;

std::string error_text(int rc) {
    return rc == MOSQ_ERR_ERRNO ? std::string(std::strerror(errno)) : std::string(mosquitto_strerror(rc));
}

}  // namespace

MqttClient::MqttClient(ConnectionOptions options, Session session, Logger& log, Callbacks callbacks)
    : options_(std::move(options)), session_(std::move(session)), log_(log), callbacks_(std::move(callbacks)) {
    // Reference-counted in libmosquitto 2; never paired with cleanup because other code in
    // the process (another client) may still use the library.
    mosquitto_lib_init();
}

MqttClient::~MqttClient() {
    stop();
    if (mosq_) mosquitto_destroy(mosq_);
}

void MqttClient::start() {
    mosq_ = mosquitto_new(options_.client_id.c_str(), true, this);
    if (!mosq_) throw std::runtime_error("cannot create an MQTT client with id '" + options_.client_id + "'");
    check(mosquitto_int_option(mosq_, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311), "MQTT protocol version");
    if (!options_.username.empty() || !options_.password.empty()) {
        check(mosquitto_username_pw_set(mosq_, options_.username.empty() ? nullptr : options_.username.c_str(),
                                        options_.password.empty() ? nullptr : options_.password.c_str()),
              "user name and password");
    }
    if (options_.broker.tls) {
        const char* ca = options_.ca_file.empty() ? nullptr : options_.ca_file.c_str();
        const char* capath = ca ? nullptr : "/etc/ssl/certs";
        const char* cert = options_.cert_file.empty() ? nullptr : options_.cert_file.c_str();
        const char* key = options_.key_file.empty() ? nullptr : options_.key_file.c_str();
        check(mosquitto_tls_set(mosq_, ca, capath, cert, key, nullptr),
              "TLS settings (ca_file, cert_file, key_file must be readable)");
        if (!options_.tls_verify) {
            check(mosquitto_tls_opts_set(mosq_, 0, nullptr, nullptr), "tls_verify = false");
            check(mosquitto_tls_insecure_set(mosq_, true), "tls_verify = false");
        }
    }
    check(mosquitto_will_set(mosq_, session_.availability_topic.c_str(), 7, "offline", options_.qos, true),
          "last will");
    check(mosquitto_reconnect_delay_set(mosq_, reconnect_delay_first, reconnect_delay_max, true), "reconnect delay");
    mosquitto_connect_callback_set(mosq_, &MqttClient::on_connect_cb);
    mosquitto_disconnect_callback_set(mosq_, &MqttClient::on_disconnect_cb);
    mosquitto_publish_callback_set(mosq_, &MqttClient::on_publish_cb);
    mosquitto_message_callback_set(mosq_, &MqttClient::on_message_cb);

    const int rc = mosquitto_connect_async(mosq_, options_.broker.host.c_str(), options_.broker.port,
                                           static_cast<int>(options_.keepalive.count()));
    if (rc == MOSQ_ERR_SUCCESS) {
        check(mosquitto_loop_start(mosq_), "starting the MQTT network thread");
        loop_running_ = true;
        return;
    }
    // libmosquitto's network thread only retries connections it has begun; when the very
    // first attempt fails at once (nobody listening), the lane retries it from service().
    log_.warn("cannot reach the MQTT broker at " + options_.url + " yet (" + error_text(rc) +
              "); retrying with backoff, readings wait in the queue");
    schedule_connect_retry();
}

void MqttClient::schedule_connect_retry() {
    connect_retry_at_ = std::chrono::steady_clock::now() + connect_pause_;
    connect_pause_ = std::min(connect_pause_ * 2, std::chrono::seconds(reconnect_delay_max));
}

void MqttClient::begin_connect() {
    const int rc = mosquitto_reconnect_async(mosq_);
    if (rc != MOSQ_ERR_SUCCESS) {
        log_.debug("connecting to " + options_.url + " failed: " + error_text(rc));
        schedule_connect_retry();
        return;
    }
    connect_retry_at_.reset();
    connect_pause_ = std::chrono::seconds(reconnect_delay_first);
    if (mosquitto_loop_start(mosq_) == MOSQ_ERR_SUCCESS) loop_running_ = true;
}

void MqttClient::stop() {
    if (!mosq_ || stopping_.exchange(true)) return;
    if (connected_.load()) {
        if (auto id = publish({session_.availability_topic, "offline", true}))
            wait_acknowledged({*id}, std::chrono::seconds(2));
    }
    mosquitto_disconnect(mosq_);
    if (loop_running_) mosquitto_loop_stop(mosq_, false);
    loop_running_ = false;
    connected_ = false;
}

std::optional<int> MqttClient::publish(const MqttMessage& m) {
    int mid = 0;
    const int rc = mosquitto_publish(mosq_, &mid, m.topic.c_str(), static_cast<int>(m.payload.size()), m.payload.data(),
                                     options_.qos, m.retain);
    if (rc != MOSQ_ERR_SUCCESS) {
        log_.debug("publish to " + m.topic + " failed: " + mosquitto_strerror(rc));
        return std::nullopt;
    }
    return mid;
}

bool MqttClient::publish_and_forget(const MqttMessage& m) {
    const auto id = publish(m);
    if (!id) return false;
    std::lock_guard lock(mutex_);
    if (acked_.erase(*id) == 0) forget_.insert(*id);
    return true;
}

bool MqttClient::wait_acknowledged(const std::vector<int>& ids, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    const auto all_acked = [&] {
        for (int id : ids)
            if (!acked_.contains(id)) return false;
        return true;
    };
    const bool ok = acked_cv_.wait_for(lock, timeout, all_acked);
    for (int id : ids) {
        // An id still unacknowledged may be acknowledged later: nobody waits for it now.
        if (acked_.erase(id) == 0) forget_.insert(id);
    }
    return ok;
}

void MqttClient::service() {
    if (!mosq_ || stopping_.load()) return;
    const auto now = std::chrono::steady_clock::now();
    if (refused_.load()) {
        {
            std::lock_guard lock(mutex_);
            if (now < refused_retry_at_) return;
        }
        refused_ = false;
        // The network thread ended when the refused connection was disconnected; start anew.
        if (loop_running_) mosquitto_loop_stop(mosq_, false);
        loop_running_ = false;
        log_.info("trying the MQTT broker at " + options_.url + " again");
        begin_connect();
        return;
    }
    if (!loop_running_ && connect_retry_at_ && now >= *connect_retry_at_) begin_connect();
}

std::optional<std::chrono::steady_clock::time_point> MqttClient::next_service() const {
    if (!mosq_ || stopping_.load()) return std::nullopt;
    if (refused_.load()) {
        std::lock_guard lock(mutex_);
        return refused_retry_at_;
    }
    if (!loop_running_ && connect_retry_at_) return connect_retry_at_;
    return std::nullopt;
}

void MqttClient::on_connect_cb(mosquitto*, void* self, int rc) { static_cast<MqttClient*>(self)->handle_connect(rc); }
void MqttClient::on_disconnect_cb(mosquitto*, void* self, int rc) {
    static_cast<MqttClient*>(self)->handle_disconnect(rc);
}
void MqttClient::on_publish_cb(mosquitto*, void* self, int mid) { static_cast<MqttClient*>(self)->handle_publish(mid); }
void MqttClient::on_message_cb(mosquitto*, void* self, const mosquitto_message* m) {
    auto* client = static_cast<MqttClient*>(self);
    if (!client->callbacks_.on_message || !m || !m->topic) return;
    const std::string payload(static_cast<const char*>(m->payload), static_cast<std::size_t>(m->payloadlen));
    client->callbacks_.on_message(m->topic, payload);
}

void MqttClient::handle_connect(int rc) {
    if (rc != 0) {
        // A refused login is not a network hiccup: retrying at once would hammer the broker
        // (and fill its log) with a password that will not start working by itself. Stop the
        // network thread, say so once, and try again after a pause of minutes.
        std::chrono::seconds pause;
        {
            std::lock_guard lock(mutex_);
            pause = refused_pause_;
            refused_retry_at_ = std::chrono::steady_clock::now() + pause;
            refused_pause_ = std::min(refused_pause_ * 2, std::chrono::seconds(refused_retry_max));
        }
        log_.error("the MQTT broker at " + options_.url + " refused the connection: " + mosquitto_connack_string(rc) +
                   " (check username, password and the broker's ACL); trying again in " + minutes_text(pause));
        refused_ = true;
        mosquitto_disconnect(mosq_);
        return;
    }
    {
        std::lock_guard lock(mutex_);
        refused_pause_ = refused_retry_first;
    }
    lost_logged_ = false;
    int online_id = 0;
    if (mosquitto_publish(mosq_, &online_id, session_.availability_topic.c_str(), 6, "online", options_.qos, true) ==
        MOSQ_ERR_SUCCESS) {
        std::lock_guard lock(mutex_);  // its PUBACK comes later on this same thread
        forget_.insert(online_id);
    }
    for (const Session::Subscription& s : session_.subscriptions)
        mosquitto_subscribe(mosq_, nullptr, s.filter.c_str(), s.qos);
    connected_ = true;
    connect_count_.fetch_add(1);
    log_.info("connected to the MQTT broker at " + options_.url);
    if (callbacks_.on_connected) callbacks_.on_connected();
}

void MqttClient::handle_disconnect(int rc) {
    const bool was_connected = connected_.exchange(false);
    if (rc != 0 && was_connected && !lost_logged_ && !stopping_.load()) {
        lost_logged_ = true;
        log_.warn("lost the connection to the MQTT broker at " + options_.url + " (" + mosquitto_strerror(rc) +
                  "); reconnecting with backoff, readings wait in the queue");
    }
    acked_cv_.notify_all();
}

void MqttClient::handle_publish(int mid) {
    {
        std::lock_guard lock(mutex_);
        if (forget_.erase(mid) == 0) acked_.insert(mid);
        // Ids are 16 bit and reused: an id left here from long ago must not count as a new ack.
        if (acked_.size() > 4096) acked_.clear();
        if (forget_.size() > 4096) forget_.clear();
    }
    acked_cv_.notify_all();
}

}  // namespace kamgw::mqtt
