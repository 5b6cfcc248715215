// Each meter's latest readings for Prometheus ([gateway] metrics_readings = true): kept as the
// polls go by, rendered on /metrics as OpenMetrics families in base units.
//
// Names: kamgw_reading_<register key>_<base unit>, labels meter, serial and model. Energy is in
// joules, volume in cubic meters, power in watts, flow in cubic meters per second, durations in
// seconds, temperatures (and temperature differences) in celsius; registers without a unit
// (info codes, counts) have no suffix; dates, clock times and identifiers (serial numbers) are
// left out (no number to graph).
// Registers Home Assistant sums (state class total_increasing) are counters (`_total`), the rest
// gauges. A reading carries its own timestamp only once it is old (more than twice its meter's
// interval): a current reading is sampled at every scrape; one from a meter that stopped
// answering keeps its true time, so it fades out of queries instead of flat-lining.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "kamgw/reading.hpp"

namespace kamgw::app {

struct MeterReadings {
    MeterIdentity meter;
    std::chrono::seconds interval{3600};
    std::map<std::string, Reading> latest;  // register key -> its newest good reading
};

// Thread-safe: the meters' executor records, the metrics thread takes snapshots.
class LatestReadings {
public:
    // A poll may carry only some registers (per-register cadence): each key keeps its newest
    // reading with a value (quality ok or stale).
    void record(const ReadingBatch& batch, std::chrono::seconds interval);
    [[nodiscard]] std::vector<MeterReadings> snapshot() const;
    // After a reload: meters no longer configured leave /metrics at once.
    void keep_only(const std::vector<std::string>& meter_names);

private:
    mutable std::mutex mutex_;
    std::map<std::string, MeterReadings> by_meter_;
};

// One reading as a Prometheus sample: the metric family, the value in base units as text, and
// whether it is a counter. nullopt for registers that are no number to graph.
struct PrometheusSample {
    std::string family;  // kamgw_reading_heat_energy_joules
    std::string unit;    // joules, or empty
    std::string value;   // 398664000000
    bool counter = false;
};
std::optional<PrometheusSample> prometheus_sample(const Reading& reading);

void render_reading_metrics(std::ostringstream& out, const std::vector<MeterReadings>& meters, TimePoint now);

}  // namespace kamgw::app
