// What the status page shows of each meter beyond its health: the latest value of every
// register, the last 24 h of the registers it charts (power and flow, and those its [[meter]]
// `chart` names), and how its recent polls went on the link.
//
// Memory is bounded by design, whatever the poll interval: a chart keeps at most one point per
// step ([gateway] chart_resolution, a minute by default) over the window, a faster meter's
// readings within one step replacing each other, so a series never holds more than
// window / step points of 8 bytes (1,440 by default).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "core/config/config.hpp"
#include "kamgw/reading.hpp"

namespace kamgw::app {

struct ChartPoint {
    std::uint32_t unix_seconds = 0;  // good until 2106
    float value = 0;                 // a chart needs no more than 7 digits
};

// A fixed-capacity ring of one point per step, oldest point first when read.
class ChartRing {
public:
    explicit ChartRing(std::chrono::seconds step = std::chrono::minutes(1),
                       std::chrono::seconds window = std::chrono::hours(24));
    void add(TimePoint time, double value);
    [[nodiscard]] std::size_t capacity() const { return capacity_; }
    [[nodiscard]] std::vector<ChartPoint> since(TimePoint oldest) const;
    [[nodiscard]] std::size_t size() const { return points_.size(); }
    [[nodiscard]] std::size_t bytes() const { return points_.capacity() * sizeof(ChartPoint); }

private:
    std::uint32_t step_seconds_;
    std::size_t capacity_;
    std::vector<ChartPoint> points_;  // grows to `capacity_`, then `head_` is the oldest
    std::size_t head_ = 0;
};

struct ChartSeries {
    std::string key;   // register key, e.g. "power"
    std::string name;  // "Power"
    std::string unit;  // "kW"
    std::vector<ChartPoint> points;
};

// One poll as the link saw it.
struct PollOutcome {
    TimePoint time;
    std::uint32_t requests = 0;  // KMP requests sent during the poll (retries included)
    std::uint32_t answered = 0;  // valid answers received
    MeterHealth health = MeterHealth::starting;
};

struct MeterHistorySnapshot {
    std::map<std::string, Reading> latest;  // register key -> its newest reading with a value
    std::vector<MissingRegister> missing;   // what the last poll lacked, and why
    std::vector<ChartSeries> charts;
    std::vector<PollOutcome> polls;  // oldest first
};

// Thread-safe: the meters' executor records, the HTTP thread takes snapshots.
class MeterHistory {
public:
    static constexpr std::chrono::hours window{24};
    static constexpr std::size_t polls_kept = 30;

    // The meters and what each charts; meters no longer configured are forgotten, the history
    // of those that stay is kept (a reload does not blank the page).
    void configure(const std::vector<config::MeterConfig>& meters, std::chrono::seconds step = std::chrono::minutes(1));
    void record(const std::string& meter, const ReadingBatch& batch);
    void record(const std::string& meter, const MeterStatus& status);
    [[nodiscard]] MeterHistorySnapshot snapshot(const std::string& meter, TimePoint now) const;
    // What the rings of one meter hold in memory, for the benchmarks.
    [[nodiscard]] std::size_t bytes(const std::string& meter) const;

private:
    struct Charted {
        explicit Charted(std::chrono::seconds step) : ring(step, window) {}
        std::string name;
        std::string unit;
        ChartRing ring;
    };
    struct Meter {
        std::vector<std::string> chart_keys;
        std::map<std::string, Charted> charts;
        std::map<std::string, Reading> latest;
        std::vector<MissingRegister> missing;
        std::vector<PollOutcome> polls;  // a ring of polls_kept
        std::size_t polls_head = 0;
        SessionCounters last_counters;
    };
    mutable std::mutex mutex_;
    std::chrono::seconds step_{std::chrono::minutes(1)};
    std::map<std::string, Meter> meters_;
};

// The registers every meter charts when it reads them.
std::vector<std::string> default_chart_keys();

}  // namespace kamgw::app
