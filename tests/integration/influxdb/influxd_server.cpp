#include "tests/integration/influxdb/influxd_server.hpp"

#include <httplib.h>

#include <fstream>
#include <stdexcept>
#include <thread>

#include "tests/support/network.hpp"

namespace kamgw::influxdb::test {

InfluxdServer::InfluxdServer(std::filesystem::path dir, bool auth) : dir_(std::move(dir)) {
    http_port_ = kamgw::test::free_port();
    rpc_port_ = kamgw::test::free_port();
    while (rpc_port_ == http_port_) rpc_port_ = kamgw::test::free_port();
    const std::string d = dir_.string();
    std::ofstream conf(dir_ / "influxdb.conf");
    conf << "reporting-disabled = true\n"
         << "bind-address = \"127.0.0.1:" << rpc_port_ << "\"\n"
         << "[meta]\n  dir = \"" << d << "/influx/meta\"\n"
         << "[data]\n  dir = \"" << d << "/influx/data\"\n  wal-dir = \"" << d << "/influx/wal\"\n"
         << "  query-log-enabled = false\n"
         << "[monitor]\n  store-enabled = false\n"
         << "[http]\n  bind-address = \"127.0.0.1:" << http_port_ << "\"\n  log-enabled = false\n"
         << (auth ? "  auth-enabled = true\n" : "") << "[logging]\n  level = \"warn\"\n  suppress-logo = true\n";
    conf.close();
    start();
}

InfluxdServer::~InfluxdServer() { stop(); }

void InfluxdServer::start() {
    // The ChildProcess constructor starts it.
    process_ = std::make_unique<kamgw::test::ChildProcess>(
        std::vector<std::string>{"influxd", "run", "-config", (dir_ / "influxdb.conf").string()}, dir_ / "influxd.log");
    // Ready in about 0.1 s when idle; a loaded 2-core machine gets far more room.
    const bool up = kamgw::test::wait_until(
        [&] {
            httplib::Client c("127.0.0.1", http_port_);
            c.set_connection_timeout(std::chrono::milliseconds(200));
            auto r = c.Get("/ping");
            return r && r->status == 204;
        },
        std::chrono::seconds(30));
    if (!up) throw std::runtime_error("influxd did not answer /ping within 30 s: " + process_->log());
}

void InfluxdServer::stop() {
    if (process_) process_->stop(15, std::chrono::seconds(20));
    process_.reset();
}

nlohmann::json InfluxdServer::execute(const std::string& statement, const std::string& user, const std::string& pw) {
    httplib::Client c("127.0.0.1", http_port_);
    if (!user.empty()) c.set_basic_auth(user, pw);
    auto r = c.Post("/query", httplib::Params{{"q", statement}});
    if (!r) throw std::runtime_error("influxd /query failed: " + httplib::to_string(r.error()));
    return nlohmann::json::parse(r->body, nullptr, false);
}

nlohmann::json InfluxdServer::query(const std::string& db, const std::string& q, std::string* raw,
                                    const std::string& user, const std::string& pw) {
    httplib::Client c("127.0.0.1", http_port_);
    c.set_read_timeout(std::chrono::seconds(30));
    if (!user.empty()) c.set_basic_auth(user, pw);
    auto r = c.Get("/query", httplib::Params{{"db", db}, {"q", q}, {"epoch", "s"}}, httplib::Headers{});
    if (!r) throw std::runtime_error("influxd /query failed: " + httplib::to_string(r.error()));
    if (raw) *raw = r->body;
    return nlohmann::json::parse(r->body, nullptr, false);
}

std::int64_t InfluxdServer::count(const std::string& db, const std::string& measurement, const std::string& field) {
    const auto j = query(db, "SELECT COUNT(\"" + field + "\") FROM \"" + measurement + "\"");
    try {
        const auto& series = j.at("results").at(0).at("series");
        return series.at(0).at("values").at(0).at(1).get<std::int64_t>();
    } catch (const nlohmann::json::exception&) {
        return 0;  // no series yet: nothing written
    }
}

}  // namespace kamgw::influxdb::test
