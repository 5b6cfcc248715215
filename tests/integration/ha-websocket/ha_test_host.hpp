// What the ha-websocket tests share: a SinkHost that records the sink's log (and echoes it
// to stderr, so a test run shows the session log), a clock the test moves by hand, and
// synthetic MULTICAL batches whose times the test chooses.
#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include "kamgw/sink.hpp"

namespace kamgw::ha_websocket::test {

class RecordingLogger final : public Logger {
public:
    void log(LogLevel level, std::string_view message) override;
    [[nodiscard]] bool enabled(LogLevel) const override { return true; }
    [[nodiscard]] std::vector<std::string> lines() const;
    [[nodiscard]] std::size_t count(const std::string& text) const;

private:
    mutable std::mutex mutex_;
    std::vector<std::string> lines_;
};

class TestHost final : public SinkHost {
public:
    TestHost(ConfigTable config, std::filesystem::path state_dir);
    Logger& log() override { return log_; }
    const ConfigTable& config() const override { return config_; }
    const std::string& instance_name() const override { return name_; }
    const std::string& gateway_id() const override { return gateway_; }
    const std::string& gateway_version() const override { return version_; }
    std::filesystem::path state_dir() const override { return state_dir_; }
    std::vector<MeterInfo> meters() const override { return {}; }
    ReadRequestResult request_read(const std::string&) override { return ReadRequestResult::unknown_meter; }
    // These tests call idle() themselves.
    void wake(std::chrono::milliseconds) override {}

    RecordingLogger log_;

private:
    ConfigTable config_;
    std::filesystem::path state_dir_;
    std::string name_ = "ha-websocket", gateway_ = "testgw", version_ = "0.1.0";
};

// A wall clock the test sets; the sink reads it through the function it was given.
class ManualClock {
public:
    explicit ManualClock(TimePoint start) : seconds_(to_seconds(start)) {}
    [[nodiscard]] TimePoint now() const { return TimePoint(std::chrono::seconds(seconds_.load())); }
    void set(TimePoint t) { seconds_ = to_seconds(t); }

private:
    static long long to_seconds(TimePoint t) {
        return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
    }
    std::atomic<long long> seconds_;
};

// 2024-05-01T00:00:00Z plus `hours`.
TimePoint hour_utc(int hours);

// The heat energy (GJ) the synthetic meter shows after `hours` hours: grows by a different
// amount every hour so sums and their changes are checkable.
double heat_energy_at(int hours);

// One poll of meter "house" (serial 12345678) at `time`, with heat energy, volume, hour
// counter, flow and forward temperature.
ReadingBatch house_batch(TimePoint time, int hours);

// A sink configuration for `url` with short timings for tests.
ConfigTable test_config(const std::string& url, const std::string& token = "good-token");

// Calls idle() every 50 ms until `done` is true or the timeout passes.
template <typename Done>
bool idle_until(Sink& sink, Done done, std::chrono::milliseconds timeout) {
    const auto end = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < end) {
        sink.idle();
        if (done()) return true;
        struct timespec ts {
            0, 50'000'000
        };
        nanosleep(&ts, nullptr);
    }
    return done();
}

}  // namespace kamgw::ha_websocket::test
