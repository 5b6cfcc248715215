// GET /api/status: everything the status page shows, as one JSON document whose shape is
// documented in docs/status-api.md and docs/status-api.schema.json. "schema" names the
// version: fields are only ever added within a version; a field that changes meaning or goes
// away makes a new one.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "core/app/meter_history.hpp"
#include "core/app/metrics_server.hpp"

namespace kamgw::app {

inline constexpr int status_schema_version = 1;

struct StatusGateway {
    std::string id;
    std::string version;
    std::string config_file;
    TimePoint started;
    bool read_now = false;  // [gateway] status_read_now
    std::chrono::milliseconds read_now_min_interval{60000};
    std::chrono::seconds chart_resolution{60};
};

struct StatusMeter {
    MeterSnapshot meter;
    std::chrono::seconds interval{3600};
    std::optional<TimePoint> last_poll;
    std::optional<TimePoint> next_poll;      // the next scheduled poll, or the next attempt after a failure
    std::vector<std::string> register_keys;  // as configured, in that order
    MeterHistorySnapshot history;
};

// `max_points` (GET /api/status?points=N) thins each chart to at most that many points, each
// the mean of its share of the series (the newest point's time); 0 leaves the points out.
std::string render_status(const StatusGateway& gateway, const std::vector<StatusMeter>& meters,
                          const std::vector<bus::LaneStats>& lanes, const GatewaySnapshot& snapshot,
                          std::optional<std::size_t> max_points = std::nullopt);

// A series thinned to at most `max_points` means of consecutive points (exposed for tests).
std::vector<ChartPoint> thin_points(const std::vector<ChartPoint>& points, std::size_t max_points);

}  // namespace kamgw::app
