#include "tests/integration/mqtt/mqtt_harness.hpp"

#include <grp.h>
#include <gtest/gtest.h>
#include <mosquitto.h>
#include <pwd.h>
#include <unistd.h>

#include <fstream>
#include <thread>

#include "plugins/sink-mqtt-ha/tests/mc403_batch.hpp"

namespace kamgw::mqtt_ha::test {

using namespace std::chrono_literals;
namespace kt = kamgw::test;

namespace {

// mosquitto drops to its own user before it reads password files and keys.
void give_to_mosquitto(const std::filesystem::path& file) {
    if (const passwd* pw = ::getpwnam("mosquitto")) {
        if (::chown(file.c_str(), pw->pw_uid, pw->pw_gid) != 0) ADD_FAILURE() << "chown " << file;
    }
}

void run_or_fail(const std::vector<std::string>& argv) {
    const auto r = kt::run_command(argv, 60s);
    ASSERT_EQ(r.exit_code, 0) << argv[0] << ": " << r.output;
}

// kamgw_add_test() hands ctest the environment as separate list items, and only the first
// (KAMGW_BINARY) arrives; fall back to the build's plugin folder, never overriding a setting.
[[maybe_unused]] const bool plugin_dir_default = [] {
    ::setenv("KAMGW_PLUGIN_DIR", MQTT_HA_PLUGIN_DIR, 0);
    return true;
}();

}  // namespace

Broker::Broker(const kt::TempDir& dir, BrokerSettings settings) : dir_(dir.path()), settings_(std::move(settings)) {
    port_ = kt::free_port();
    std::string conf = "per_listener_settings false\npersistence false\nlog_dest stdout\nlog_type all\n";
    conf += "listener " + std::to_string(port_) + " 127.0.0.1\n";
    if (settings_.password) {
        const auto pwfile = dir_ / "pwfile";
        run_or_fail({"mosquitto_passwd", "-c", "-b", pwfile.string(), settings_.user, settings_.pass});
        give_to_mosquitto(pwfile);
        std::filesystem::permissions(pwfile, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
        conf += "allow_anonymous false\npassword_file " + pwfile.string() + "\n";
    } else {
        conf += "allow_anonymous true\n";
    }
    if (settings_.tls) {
        const std::string d = dir_.string() + "/";
        run_or_fail({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
                     "/CN=kamgw test CA", "-keyout", d + "ca.key", "-out", d + "ca.crt"});
        run_or_fail({"openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-keyout",
                     d + "server.key", "-out", d + "server.csr"});
        std::ofstream(d + "san.ext") << "subjectAltName=IP:127.0.0.1,DNS:localhost\n";
        run_or_fail({"openssl", "x509", "-req", "-in", d + "server.csr", "-CA", d + "ca.crt", "-CAkey", d + "ca.key",
                     "-CAcreateserial", "-days", "2", "-extfile", d + "san.ext", "-out", d + "server.crt"});
        for (const char* f : {"ca.crt", "server.crt", "server.key"}) give_to_mosquitto(dir_ / f);
        tls_port_ = kt::free_port();
        conf += "listener " + std::to_string(tls_port_) + " 127.0.0.1\n";
        conf += "cafile " + d + "ca.crt\ncertfile " + d + "server.crt\nkeyfile " + d + "server.key\n";
    }
    std::ofstream(dir_ / "mosquitto.conf") << conf;
    start();
}

Broker::~Broker() { stop(); }

void Broker::start() {
    process_.emplace(std::vector<std::string>{"stdbuf", "-oL", "mosquitto", "-c", (dir_ / "mosquitto.conf").string()},
                     dir_ / "mosquitto.log");
    ASSERT_TRUE(kt::wait_for_port(port_, 10s)) << "mosquitto did not start:\n" << log();
    if (tls_port_) {
        ASSERT_TRUE(kt::wait_for_port(tls_port_, 10s)) << log();
    }
}

void Broker::stop() {
    if (process_) process_->stop();
    process_.reset();
}

std::string Broker::log() const {
    const auto file = dir_ / "mosquitto.log";
    return std::filesystem::exists(file) ? kt::read_file(file) : std::string{};
}

std::size_t Broker::count_in_log(const std::string& text) const {
    const std::string all = log();
    std::size_t n = 0;
    for (auto pos = all.find(text); pos != std::string::npos; pos = all.find(text, pos + text.size())) ++n;
    return n;
}

Recorder::Recorder(std::uint16_t port, const std::vector<std::string>& subscriptions, const BrokerSettings& auth) {
    mosquitto_lib_init();
    mosq_ = mosquitto_new(nullptr, true, this);
    if (auth.password) mosquitto_username_pw_set(mosq_, auth.user.c_str(), auth.pass.c_str());
    mosquitto_message_callback_set(mosq_, [](mosquitto*, void* self, const mosquitto_message* m) {
        auto* r = static_cast<Recorder*>(self);
        std::lock_guard lock(r->mutex_);
        r->messages_.push_back(
            {m->topic, std::string(static_cast<const char*>(m->payload), static_cast<std::size_t>(m->payloadlen)),
             m->retain});
    });
    mosquitto_subscribe_callback_set(mosq_, [](mosquitto*, void* self, int, int, const int*) {
        auto* r = static_cast<Recorder*>(self);
        std::lock_guard lock(r->mutex_);
        r->subscribed_ = true;
    });
    EXPECT_EQ(mosquitto_connect(mosq_, "127.0.0.1", port, 30), MOSQ_ERR_SUCCESS);
    int count = 0;
    std::vector<char*> subs;
    for (const auto& s : subscriptions) subs.push_back(const_cast<char*>(s.c_str()));
    count = static_cast<int>(subs.size());
    EXPECT_EQ(mosquitto_subscribe_multiple(mosq_, nullptr, count, subs.data(), 1, 0, nullptr), MOSQ_ERR_SUCCESS);
    mosquitto_loop_start(mosq_);
    EXPECT_TRUE(kt::wait_until(
        [this] {
            std::lock_guard lock(mutex_);
            return subscribed_;
        },
        10s));
}

Recorder::~Recorder() {
    mosquitto_disconnect(mosq_);
    mosquitto_loop_stop(mosq_, false);
    mosquitto_destroy(mosq_);
}

std::vector<Received> Recorder::messages() const {
    std::lock_guard lock(mutex_);
    return messages_;
}

std::vector<Received> Recorder::on(const std::string& topic) const {
    std::vector<Received> out;
    for (auto& m : messages())
        if (m.topic == topic) out.push_back(m);
    return out;
}

std::optional<Received> Recorder::last_on(const std::string& topic) const {
    auto all = on(topic);
    if (all.empty()) return std::nullopt;
    return all.back();
}

bool Recorder::wait_for(const std::string& topic, std::size_t count, std::chrono::milliseconds timeout) const {
    return kt::wait_until([&] { return on(topic).size() >= count; }, timeout);
}

void Recorder::publish(const std::string& topic, const std::string& payload, bool retain) {
    mosquitto_publish(mosq_, nullptr, topic.c_str(), static_cast<int>(payload.size()), payload.data(), 1, retain);
}

LoadedPlugin::LoadedPlugin() {
    const auto file = kt::plugin_dir() / "kamgw-sink-mqtt-ha.so";
    library_.load(boost::dll::fs::path(file.string()));
    const int abi = library_.get<int()>("kamgw_plugin_abi")();
    if (abi != KAMGW_PLUGIN_ABI) throw std::runtime_error("plugin ABI mismatch");
    descriptor_ = library_.get<const PluginDescriptor*()>("kamgw_plugin_descriptor")();
}

std::vector<MeterInfo> house_meter() {
    MeterInfo m;
    m.identity = mc403_batch().meter;
    m.interval = std::chrono::hours(1);
    for (const auto& r : mc403_batch().readings) m.register_keys.push_back(r.key);
    return {m};
}

}  // namespace kamgw::mqtt_ha::test
