// The metrics and health endpoint ([gateway] metrics_listen = "127.0.0.1:9780"):
//   GET /metrics  OpenMetrics text: per-meter session counters and health, per-sink lane counters.
//                 Label sets never change for a meter or sink: health and lane state are
//                 state-sets (one series per state), the serial and model sit in the info
//                 metric kamgw_meter_info, present once the meter has been identified.
//   GET /health   JSON: each meter's health and each sink's lane state; 200 when every meter is ok
//                 and no sink is disabled, 503 otherwise (for monitoring and container probes).
//                 "failing" names each meter that is not ok with the reason; "warnings" lists
//                 registers a meter lacks and polls that fall behind.
// Served by cpp-httplib on a thread of its own, so a slow scraper never touches the meters.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/bus/lane_stats.hpp"
#include "kamgw/reading.hpp"

namespace httplib {
class Server;
}

namespace kamgw::app {

struct MeterSnapshot {
    std::string name;
    MeterIdentity identity;
    MeterHealth health = MeterHealth::starting;
    SessionCounters counters;
    std::string detail;                          // why the meter is in this health, what to check
    std::vector<std::string> missing_registers;  // configured registers the meter does not have
    double poll_lag_seconds = 0;                 // how late the last scheduled poll started
    bool behind = false;                         // polls are falling behind their interval
};

struct MetricsSources {
    std::function<std::vector<MeterSnapshot>()> meters;  // thread-safe
    std::function<std::vector<bus::LaneStats>()> lanes;  // thread-safe
};

std::string render_openmetrics(const std::vector<MeterSnapshot>& meters, const std::vector<bus::LaneStats>& lanes);
// {"status":"ok"|"degraded","meters":[…],"sinks":[…]}; `healthy` tells which.
std::string render_health(const std::vector<MeterSnapshot>& meters, const std::vector<bus::LaneStats>& lanes,
                          bool& healthy);

class MetricsServer {
public:
    MetricsServer(MetricsSources sources);
    ~MetricsServer();
    // Binds "host:port" (port 0 picks one); throws std::runtime_error with the reason on failure.
    void start(const std::string& listen);
    [[nodiscard]] int port() const { return port_; }
    void stop();

private:
    MetricsSources sources_;
    std::unique_ptr<httplib::Server> server_;
    std::thread thread_;
    int port_ = 0;
};

}  // namespace kamgw::app
