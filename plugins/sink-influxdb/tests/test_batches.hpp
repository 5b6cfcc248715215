// Readings, batches and a SinkHost for the influxdb sink's tests.
#pragma once

#include <chrono>
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include "kamgw/config.hpp"
#include "kamgw/reading.hpp"
#include "kamgw/sink.hpp"

namespace kamgw::influxdb::test {

inline Decimal dec(const char* text) { return *Decimal::parse(text); }

inline TimePoint at_seconds(std::int64_t s, std::int64_t ns = 0) {
    return TimePoint(
        std::chrono::duration_cast<Clock::duration>(std::chrono::seconds(s) + std::chrono::nanoseconds(ns)));
}

inline Reading reading(std::string key, const char* value, Unit unit, TimePoint time, Quality q = Quality::ok) {
    Reading r;
    r.key = std::move(key);
    r.value = dec(value);
    r.unit = unit;
    r.time = time;
    r.quality = q;
    return r;
}

inline ReadingBatch batch(std::string meter, std::string serial, std::string model, std::vector<Reading> readings) {
    ReadingBatch b;
    b.meter.name = std::move(meter);
    b.meter.serial = std::move(serial);
    b.meter.model = std::move(model);
    b.readings = std::move(readings);
    if (!b.readings.empty()) b.started = b.finished = b.readings.front().time;
    return b;
}

// A realistic poll: the seven default registers of a MULTICAL 403.
inline ReadingBatch mc403_poll(const std::string& meter, const std::string& serial, TimePoint time, int n) {
    const std::string e = std::to_string(1917 + n) + ".57";
    const std::string v = std::to_string(200 + n) + ".125";
    return batch(
        meter, serial, "MULTICAL 403",
        {reading("heat_energy", e.c_str(), Unit::GJ, time), reading("volume", v.c_str(), Unit::cubic_metre, time),
         reading("power", "1.5", Unit::kW, time), reading("flow", "410", Unit::litre_per_hour, time),
         reading("t_forward", "61.37", Unit::celsius, time), reading("t_return", "36.05", Unit::celsius, time),
         reading("hour_counter", "43210", Unit::hour, time)});
}

class CapturingLogger final : public Logger {
public:
    void log(LogLevel level, std::string_view message) override {
        std::lock_guard lock(mutex_);
        lines_.emplace_back(std::string(level >= LogLevel::warn ? "W " : "I ") + std::string(message));
    }
    [[nodiscard]] bool enabled(LogLevel) const override { return true; }
    std::vector<std::string> lines() const {
        std::lock_guard lock(mutex_);
        return lines_;
    }
    std::string all() const {
        std::string out;
        for (const auto& l : lines()) out += l + "\n";
        return out;
    }

private:
    mutable std::mutex mutex_;
    std::vector<std::string> lines_;
};

class TestHost final : public SinkHost {
public:
    explicit TestHost(ConfigTable table) : table_(std::move(table)) {}
    Logger& log() override { return logger; }
    const ConfigTable& config() const override { return table_; }
    const std::string& instance_name() const override { return name_; }
    const std::string& gateway_id() const override { return name_; }
    const std::string& gateway_version() const override { return name_; }
    std::filesystem::path state_dir() const override { return std::filesystem::temp_directory_path(); }
    std::vector<MeterInfo> meters() const override { return {}; }
    ReadRequestResult request_read(const std::string&) override { return ReadRequestResult::unknown_meter; }
    // These tests call idle() themselves.
    void wake(std::chrono::milliseconds) override {}

    CapturingLogger logger;

private:
    ConfigTable table_;
    std::string name_ = "influxdb";
};

}  // namespace kamgw::influxdb::test
