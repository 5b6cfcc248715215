// End-to-end pieces: the real `kamgw` binary (sim, read, run), real ser2net 4 in front of the
// simulated meter's pty, the daemon's CSV output and its /health endpoint. Every process runs
// on 127.0.0.1 with random ports and is stopped when its object goes.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace kamgw::test::e2e {

using namespace std::chrono_literals;
using SteadyTime = std::chrono::steady_clock::time_point;

// `kamgw sim --pty LINK`: a simulated MULTICAL 403 that owns the pty master and logs the line
// settings its client (ser2net or kamgw itself) put on the slave.
struct SimOptions {
    std::uint32_t serial = 12345678;
    std::string faults;        // e.g. "echo"
    bool strict_line = false;  // ignore requests unless the line is 1200 8N2, like a real meter
};

class SimMeter {
public:
    SimMeter(const TempDir& dir, SimOptions options);
    [[nodiscard]] const std::filesystem::path& link() const { return link_; }
    [[nodiscard]] std::uint32_t serial() const { return options_.serial; }
    [[nodiscard]] std::string log() const { return process_.log(); }
    // Every "line settings: …" the sim logged, in order ("1200 8N2", …).
    [[nodiscard]] std::vector<std::string> line_settings_seen() const;
    // The meter freezes (SIGSTOP) and comes back (SIGCONT): a meter that stops answering.
    void freeze() const;
    void thaw() const;
    // SIGTERM: the sim closes the pty and removes the link, like an unplugged USB IR head.
    void unplug() { process_.stop(); }

private:
    SimOptions options_;
    std::filesystem::path link_;
    ChildProcess process_;
};

// ser2net 4 serving one pty on 127.0.0.1 (raw "tcp" or "telnet(rfc2217),tcp"). Restarts keep
// the port, so a client configured with it can come back.
enum class BridgeMode { raw, rfc2217 };

class Ser2net {
public:
    // `line` is the connector's default setting, e.g. "1200n82"; an RFC 2217 client changes it.
    Ser2net(const TempDir& dir, const std::filesystem::path& device, BridgeMode mode, std::string line = "1200n82");
    void start();
    void kill_hard();  // SIGKILL: no goodbye to the client, as when the bridge host loses power
    [[nodiscard]] std::uint16_t port() const { return port_; }
    [[nodiscard]] std::string log() const { return process_.log(); }

private:
    std::filesystem::path config_;
    std::filesystem::path log_file_;
    std::uint16_t port_;
    ChildProcess process_;
};

// `kamgw read … --json`: the exit code and each JSON line it printed.
struct ReadResult {
    int exit_code = -1;
    std::string output;  // stdout and stderr together
    std::vector<nlohmann::json> readings;
    [[nodiscard]] const nlohmann::json* find(const std::string& key) const;
};
ReadResult kamgw_read(const std::vector<std::string>& args, std::chrono::milliseconds timeout = 60s);

// One [[meter]] of a daemon configuration.
struct MeterEntry {
    std::string name;
    std::string url;
    std::string interval = "2s";
    std::vector<std::string> registers;  // empty: the catalogue defaults
    std::string timeout;                 // empty: the default
};

// `kamgw run` with a CSV sink and the metrics/health endpoint on a free port.
class Daemon {
public:
    // `prefix` runs the binary under another command, e.g. {"prlimit", "--nofile=64"}.
    Daemon(const TempDir& dir, const std::vector<MeterEntry>& meters, const std::string& log_level = "info",
           std::vector<std::string> prefix = {});
    [[nodiscard]] const std::filesystem::path& csv() const { return csv_; }
    [[nodiscard]] std::string log() const { return process_.log(); }
    [[nodiscard]] pid_t pid() const { return process_.pid(); }
    [[nodiscard]] bool running() { return process_.running(); }
    int stop() { return process_.stop(); }
    // GET /health: meter name -> health ("ok", "link_down", "no_answer", …); empty if unreachable.
    [[nodiscard]] std::map<std::string, std::string> health() const;
    [[nodiscard]] std::uint16_t metrics_port() const { return metrics_port_; }
    // A meter's counter from GET /metrics, e.g. meter_counter("house", "reconnects"); 0 if absent.
    [[nodiscard]] std::uint64_t meter_counter(const std::string& meter, const std::string& name) const;

private:
    std::filesystem::path config_;
    std::filesystem::path csv_;
    std::uint16_t metrics_port_;
    ChildProcess process_;
};

// The CSV sink's file: header time,meter,serial,key,id,value,unit,quality; one row a reading.
struct CsvRow {
    std::map<std::string, std::string> fields;
    [[nodiscard]] const std::string& operator[](const std::string& column) const;
};
std::vector<CsvRow> read_csv_rows(const std::filesystem::path& file);
std::size_t count_csv_rows(const std::filesystem::path& file);

// A plain HTTP/1.0 GET on 127.0.0.1; nullopt when nothing answers.
struct HttpAnswer {
    int status = 0;
    std::string body;
};
std::optional<HttpAnswer> http_get(std::uint16_t port, const std::string& path);

// Seconds with millisecond precision, for printing.
double seconds_between(SteadyTime from, SteadyTime to);

}  // namespace kamgw::test::e2e
