// Readings, batches and the SDK's SinkHost for the influxdb sink's tests.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "kamgw/config.hpp"
#include "kamgw/reading.hpp"
#include "kamgw/sink.hpp"
#include "kamgw/testing.hpp"

namespace kamgw::influxdb::test {

using kamgw::testing::reading;

inline Decimal dec(const char* text) { return kamgw::testing::decimal(text); }

inline TimePoint at_seconds(std::int64_t s, std::int64_t ns = 0) {
    return TimePoint(
        std::chrono::duration_cast<Clock::duration>(std::chrono::seconds(s) + std::chrono::nanoseconds(ns)));
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

// The SDK's test host, as the influxdb tests name it.
using TestHost = kamgw::testing::TestSinkHost;

}  // namespace kamgw::influxdb::test
