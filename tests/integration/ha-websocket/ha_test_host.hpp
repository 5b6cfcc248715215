// What the ha-websocket tests share: the SDK's SinkHost that records the sink's log (and echoes
// it to stderr, so a test run shows the session log), a clock the test moves by hand, and
// synthetic MULTICAL batches whose times the test chooses.
#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include "kamgw/sink.hpp"
#include "kamgw/testing.hpp"

namespace kamgw::ha_websocket::test {

// The SDK's test host as the ha-websocket sink is named, echoing its log to stderr so a test run
// shows the session log.
class TestHost final : public kamgw::testing::TestSinkHost {
public:
    TestHost(ConfigTable config, std::filesystem::path state_dir)
        : TestSinkHost(std::move(config), std::move(state_dir)) {
        instance = "ha-websocket";
        gateway = "testgw";
        version = "0.1.0";
        logger.echo("[ha-websocket]");
    }
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

using kamgw::testing::idle_until;

}  // namespace kamgw::ha_websocket::test
