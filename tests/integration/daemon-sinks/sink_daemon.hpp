// The real `kamgw run` with one simulated MULTICAL 403, a CSV sink (the reference record of
// every poll the daemon took) and one more sink under test, all in a temporary folder.
// The CSV file is what the other sink's output is compared against: whatever the daemon read
// is in the CSV, so whatever is missing from the sink under test was lost on the way.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace kamgw::test::daemon_sinks {

using namespace std::chrono_literals;

// One poll as the CSV sink recorded it: the reading time (whole seconds, UTC) and the exact
// decimal text of every register read.
struct CsvPoll {
    std::string time;                            // "2026-11-25T16:20:26Z"
    std::int64_t unix_s = 0;                     // the same, as Unix seconds
    std::map<std::string, std::string> values;   // register key -> value text ("110.740")
    std::map<std::string, std::string> quality;  // register key -> "ok" | "stale" | "error"
};

// Rows of the CSV grouped into polls (a key seen twice starts a new poll, so two polls in the
// same second stay apart). A row still being written is left for the next look.
std::vector<CsvPoll> read_polls(const std::filesystem::path& csv);

// Each poll once: the same poll delivered twice (at-least-once, after a crash) is the same text.
std::vector<CsvPoll> distinct_polls(const std::vector<CsvPoll>& polls);

// "2026-11-25T16:20:26Z" -> Unix seconds; -1 when malformed.
std::int64_t parse_utc(const std::string& iso);

struct DaemonSettings {
    std::uint32_t serial = 5550001;
    std::string interval = "2s";
    std::string gateway_id = "dsgw";
    std::string sink_toml;      // the [[sink]] table under test, written after the CSV sink
    std::string meter_options;  // appended to the meter's URL query, e.g. "&pace=false"
    std::string gateway_toml;   // more [gateway] keys, e.g. "metrics_listen = \"127.0.0.1:0\"\n"
};

class SinkDaemon {
public:
    // Writes the configuration and starts the daemon.
    SinkDaemon(const TempDir& dir, DaemonSettings settings);
    void start();  // again, after stop() or kill_hard()
    int stop() { return process_.stop(15, 20s); }
    void kill_hard() { process_.kill_hard(); }
    [[nodiscard]] bool running() { return process_.running(); }
    [[nodiscard]] pid_t pid() const { return process_.pid(); }
    [[nodiscard]] std::string log() const { return process_.log(); }
    [[nodiscard]] const std::filesystem::path& csv() const { return csv_; }
    [[nodiscard]] std::vector<CsvPoll> polls() const { return read_polls(csv_); }
    [[nodiscard]] std::string serial() const { return std::to_string(settings_.serial); }
    [[nodiscard]] const DaemonSettings& settings() const { return settings_; }
    // Waits until the CSV holds at least `count` complete polls.
    bool wait_for_polls(std::size_t count, std::chrono::milliseconds timeout) const;

private:
    DaemonSettings settings_;
    std::filesystem::path config_;
    std::filesystem::path csv_;
    ChildProcess process_;
};

}  // namespace kamgw::test::daemon_sinks
