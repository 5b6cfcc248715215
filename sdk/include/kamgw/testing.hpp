// A test kit for sink plugins, header-only: a SinkHost a test drives by hand, a logger that
// keeps every line, builders for readings and batches, the loops that drive a sink the way its
// lane does (idle() between calls on one thread, write() again after retry), and a run of the
// sink inside the real daemon (run_with_daemon).
//
// Include it in test programs only, never in the plugin:
//
//   kamgw::testing::TestSinkHost host(config, state_dir);
//   auto sink = make_my_sink();
//   sink->start(host);
//   const auto batch = kamgw::testing::BatchBuilder("house", "12345678")
//                          .reading("heat_energy", "110.740", kamgw::Unit::MWh)
//                          .build();
//   EXPECT_EQ(kamgw::testing::write_until_done(*sink, {&batch, 1}, 10s).code, kamgw::WriteResult::Code::ok);
//   EXPECT_EQ(host.logger.count("error:"), 0u);
//   sink->stop();
#pragma once

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "kamgw/decimal.hpp"
#include "kamgw/reading.hpp"
#include "kamgw/sink.hpp"

namespace kamgw::testing {

constexpr std::string_view log_level_name(LogLevel level) {
    switch (level) {
        case LogLevel::trace:
            return "trace";
        case LogLevel::debug:
            return "debug";
        case LogLevel::info:
            return "info";
        case LogLevel::warn:
            return "warn";
        case LogLevel::error:
            return "error";
    }
    return "error";
}

// Keeps every line as "<level>: <message>" ("warn: cannot open …"). Thread-safe: a sink may
// log from its own network thread.
class RecordingLogger final : public Logger {
public:
    // Also prints lines at info and above to stderr behind `prefix`, so a test run shows what
    // the sink said.
    void echo(std::string prefix) {
        std::lock_guard lock(mutex_);
        echo_prefix_ = std::move(prefix);
    }

    void log(LogLevel level, std::string_view message) override {
        std::string line = std::string(log_level_name(level)) + ": " + std::string(message);
        std::lock_guard lock(mutex_);
        if (!echo_prefix_.empty() && level >= LogLevel::info)
            std::fprintf(stderr, "%s %s\n", echo_prefix_.c_str(), line.c_str());
        lines_.push_back(std::move(line));
    }
    [[nodiscard]] bool enabled(LogLevel) const override { return true; }

    [[nodiscard]] std::vector<std::string> lines() const {
        std::lock_guard lock(mutex_);
        return lines_;
    }
    // Every line, each ending in a newline (for a test's failure message).
    [[nodiscard]] std::string joined() const {
        std::string out;
        for (const auto& line : lines()) out += line + "\n";
        return out;
    }
    // How many lines contain `text`.
    [[nodiscard]] std::size_t count(std::string_view text) const {
        std::lock_guard lock(mutex_);
        std::size_t n = 0;
        for (const auto& line : lines_) n += line.find(text) != std::string::npos;
        return n;
    }

private:
    std::string echo_prefix_;
    mutable std::mutex mutex_;
    std::vector<std::string> lines_;
};

// The core as a sink sees it, with every answer set by the test. wake() only counts: the test
// calls idle() itself (idle_until below), as the lane would. A test suite may derive from it to
// set its names once.
class TestSinkHost : public SinkHost {
public:
    explicit TestSinkHost(ConfigTable config, std::filesystem::path state_dir = std::filesystem::temp_directory_path(),
                          std::vector<MeterInfo> meters = {})
        : config_(std::move(config)), state_dir_(std::move(state_dir)), meters_(std::move(meters)) {}

    Logger& log() override { return logger; }
    const ConfigTable& config() const override { return config_; }
    const std::string& instance_name() const override { return instance; }
    const std::string& gateway_id() const override { return gateway; }
    const std::string& gateway_version() const override { return version; }
    std::filesystem::path state_dir() const override { return state_dir_; }
    std::vector<MeterInfo> meters() const override { return meters_; }

    ReadRequestResult request_read(const std::string& meter_name) override {
        std::lock_guard lock(mutex_);
        read_requests_.push_back(meter_name);
        if (read_answer) return *read_answer;
        for (const MeterInfo& m : meters_)
            if (m.identity.name == meter_name) return ReadRequestResult::accepted;
        return ReadRequestResult::unknown_meter;
    }
    void wake(std::chrono::milliseconds) override {
        std::lock_guard lock(mutex_);
        ++wakes_;
    }

    // The meters request_read() was called for, in order.
    [[nodiscard]] std::vector<std::string> read_requests() const {
        std::lock_guard lock(mutex_);
        return read_requests_;
    }
    // How often the sink asked for idle().
    [[nodiscard]] std::size_t wakes() const {
        std::lock_guard lock(mutex_);
        return wakes_;
    }

    RecordingLogger logger;
    std::string instance = "test";
    std::string gateway = "test-gateway";
    std::string version = "0.0.0";
    // What request_read() answers; unset: accepted for a meter in meters(), unknown_meter for
    // any other name, as the core answers when the rate limit allows the read.
    std::optional<ReadRequestResult> read_answer;

private:
    ConfigTable config_;
    std::filesystem::path state_dir_;
    std::vector<MeterInfo> meters_;
    mutable std::mutex mutex_;
    std::vector<std::string> read_requests_;
    std::size_t wakes_ = 0;
};

// An exact decimal from its text ("110.740"); a text that is no decimal is a broken test.
inline Decimal decimal(std::string_view text) {
    const auto d = Decimal::parse(text);
    if (!d) throw std::invalid_argument("not a decimal: '" + std::string(text) + "'");
    return *d;
}

// One reading of register `key`, read at `time`.
inline Reading reading(std::string key, std::string_view value, Unit unit = Unit::none, TimePoint time = {},
                       Quality quality = Quality::ok) {
    Reading r;
    r.key = std::move(key);
    r.name = r.key;
    r.value = decimal(value);
    r.unit = unit;
    r.time = time;
    r.quality = quality;
    return r;
}

// One poll of one meter, built up register by register; every reading gets the poll's time.
class BatchBuilder {
public:
    explicit BatchBuilder(std::string meter_name, std::string serial = "12345678") {
        batch_.meter.name = std::move(meter_name);
        batch_.meter.serial = std::move(serial);
        at(TimePoint(std::chrono::seconds(1'780'000'000)));
    }

    BatchBuilder& model(std::string model) {
        batch_.meter.model = std::move(model);
        return *this;
    }
    // The poll started one second before `finished`, as a short poll of a real meter does.
    BatchBuilder& at(TimePoint finished) {
        batch_.finished = finished;
        batch_.started = finished - std::chrono::seconds(1);
        for (Reading& r : batch_.readings) r.time = finished;
        return *this;
    }
    BatchBuilder& reading(std::string key, std::string_view value, Unit unit = Unit::none,
                          std::uint16_t register_id = 0, Quantity quantity = Quantity::other) {
        Reading r = testing::reading(std::move(key), value, unit, batch_.finished);
        r.register_id = register_id;
        r.quantity = quantity;
        batch_.requested.push_back(register_id);
        batch_.readings.push_back(std::move(r));
        return *this;
    }
    BatchBuilder& missing(std::string key, MissingReason reason, std::uint16_t register_id = 0) {
        batch_.requested.push_back(register_id);
        batch_.missing.push_back({register_id, std::move(key), reason});
        return *this;
    }
    BatchBuilder& on_demand(bool yes = true) {
        batch_.on_demand = yes;
        return *this;
    }
    [[nodiscard]] ReadingBatch build() const { return batch_; }

private:
    ReadingBatch batch_;
};

// Calls idle() every `pause` on the calling thread (as the lane does between writes) until
// `done` returns true or `timeout` passes; returns done().
template <typename Done>
bool idle_until(Sink& sink, Done done, std::chrono::milliseconds timeout,
                std::chrono::milliseconds pause = std::chrono::milliseconds(50)) {
    const auto end = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < end) {
        sink.idle();
        if (done()) return true;
        std::this_thread::sleep_for(pause);
    }
    return done();
}

// Writes `batches` as a lane would: idle(), then write(); after `retry` the same batches again
// after `pause`, until the sink answers ok or reject or `timeout` passes. Returns the last answer.
inline WriteResult write_until_done(Sink& sink, std::span<const ReadingBatch> batches,
                                    std::chrono::milliseconds timeout,
                                    std::chrono::milliseconds pause = std::chrono::milliseconds(50)) {
    WriteResult result = WriteResult::retry("not written yet");
    idle_until(
        sink,
        [&] {
            result = sink.write(batches);
            return result.code != WriteResult::Code::retry;
        },
        timeout, pause);
    return result;
}

// What run_with_daemon() saw.
struct DaemonRun {
    int exit_code = -1;  // kamgw's exit status: 0 when the sink took the poll (sysexits otherwise)
    std::string log;     // everything kamgw printed
};

// The kamgw binary run_with_daemon() uses: $KAMGW_BINARY, else the packaged /usr/sbin/kamgw.
inline std::filesystem::path daemon_binary() {
    const char* path = std::getenv("KAMGW_BINARY");
    return path && *path ? std::filesystem::path(path) : std::filesystem::path("/usr/sbin/kamgw");
}

// Runs your sink inside the real daemon: `kamgw run --once` with one simulated MULTICAL 403
// (sim://multical403, serial 12345678) and one [[sink]] table, so the poll goes through kamgw's
// journal, your sink's lane, its retries and its shutdown, as in production. `plugin_dir` holds
// your kamgw-sink-<name>.so and is searched before kamgw's own plugins (kamgw refuses a folder
// others can write); `sink_table` is the table's TOML body, e.g.
// `type = "example"\npath = "/tmp/out.txt"`; `work_dir` gets the configuration, the journal and
// the log.
inline DaemonRun run_with_daemon(const std::filesystem::path& plugin_dir, std::string_view sink_table,
                                 const std::filesystem::path& work_dir,
                                 const std::filesystem::path& kamgw = daemon_binary()) {
    std::filesystem::create_directories(work_dir / "state");
    const auto config = work_dir / "kamgw.toml";
    const auto log = work_dir / "kamgw.log";
    {
        std::FILE* f = std::fopen(config.c_str(), "w");
        if (!f) throw std::runtime_error("cannot write " + config.string());
        std::fprintf(f,
                     "[gateway]\nstate_dir = \"%s\"\n\n"
                     "[[meter]]\nname = \"house\"\nurl = \"sim://multical403\"\n\n[[sink]]\n%.*s\n",
                     (work_dir / "state").c_str(), static_cast<int>(sink_table.size()), sink_table.data());
        std::fclose(f);
    }
    // Spawned without a shell, so no path is ever parsed as a command.
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    // --plugin-dir adds the folder before kamgw's own, whose transports serve sim://.
    std::string args[] = {kamgw.string(), "run", "--once", "-c", config.string(), "--plugin-dir", plugin_dir.string()};
    char* argv[] = {args[0].data(), args[1].data(), args[2].data(), args[3].data(),
                    args[4].data(), args[5].data(), args[6].data(), nullptr};
    pid_t pid = -1;
    int status = -1;
    if (posix_spawn(&pid, kamgw.c_str(), &actions, nullptr, argv, environ) != 0 || waitpid(pid, &status, 0) != pid)
        status = -1;
    posix_spawn_file_actions_destroy(&actions);
    DaemonRun run;
    run.exit_code = status == -1 ? -1 : WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (run.exit_code == -1) run.log = "cannot run " + kamgw.string() + "\n";
    if (std::FILE* f = std::fopen(log.c_str(), "r")) {
        char buffer[4096];
        for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, f)) > 0;) run.log.append(buffer, n);
        std::fclose(f);
    }
    return run;
}

}  // namespace kamgw::testing
