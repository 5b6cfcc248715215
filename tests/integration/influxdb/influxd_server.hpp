// A real influxd 1.6 for tests and benchmarks: loopback only, random HTTP and RPC ports,
// data in a folder the caller owns, stopped when the object goes.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/support/process.hpp"

namespace kamgw::influxdb::test {

class InfluxdServer {
public:
    // Writes the configuration into `dir` and starts influxd; `auth` enables authentication.
    explicit InfluxdServer(std::filesystem::path dir, bool auth = false);
    ~InfluxdServer();

    void start();  // (again) on the same ports and data folder; waits for /ping
    void stop();   // SIGTERM and wait
    [[nodiscard]] std::uint16_t port() const { return http_port_; }
    [[nodiscard]] std::string url() const { return "http://127.0.0.1:" + std::to_string(http_port_); }
    [[nodiscard]] std::string log() const { return process_ ? process_->log() : std::string(); }

    // POST /query (mutating statements), optionally as a user; throws on a transport error.
    nlohmann::json execute(const std::string& statement, const std::string& user = {}, const std::string& pw = {});
    // GET /query with epoch=s; returns the raw body too, for exact text comparisons.
    nlohmann::json query(const std::string& db, const std::string& q, std::string* raw = nullptr,
                         const std::string& user = {}, const std::string& pw = {});
    // Number of points in `measurement` (SELECT COUNT of a field).
    std::int64_t count(const std::string& db, const std::string& measurement, const std::string& field = "value");

private:
    std::filesystem::path dir_;
    std::uint16_t http_port_ = 0;
    std::uint16_t rpc_port_ = 0;
    std::unique_ptr<kamgw::test::ChildProcess> process_;
};

}  // namespace kamgw::influxdb::test
