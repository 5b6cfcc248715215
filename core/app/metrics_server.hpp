// The metrics and health endpoint ([gateway] metrics_listen = "127.0.0.1:9780"):
//   GET /metrics  OpenMetrics text: per-meter session counters and health, per-sink lane counters,
//                 and with metrics_readings the meters' latest readings (reading_metrics.hpp).
//                 Label sets never change for a meter or sink: health and lane state are
//                 state-sets (one series per state), the serial and model sit in the info
//                 metric kamgw_meter_info, present once the meter has been identified.
//   GET /         the status page (status_page.html), and GET /api/status behind it (status_api.hpp);
//   POST /api/meters/<name>/read   "read now", when [gateway] status_read_now is on.
//   GET /health   JSON: each meter's health, each sink's lane and the journal; 200 when every
//                 meter, every sink and the journal are fine, 503 otherwise (for monitoring and
//                 container probes). "failing" names each meter, sink or journal that is not,
//                 with the reason; "warnings" lists registers a meter lacks and polls that fall
//                 behind. A sink is failing while its oldest undelivered poll is older than
//                 health_sink_max_delay, or it has failed (start or write) for longer than that.
// Served by cpp-httplib on a thread of its own, so a slow scraper never touches the meters.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "core/bus/journal.hpp"
#include "core/bus/lane_stats.hpp"
#include "core/app/reading_metrics.hpp"
#include "kamgw/reading.hpp"
#include "kamgw/sink.hpp"

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

// What the sinks' and the journal's health is judged by.
struct GatewaySnapshot {
    std::optional<bus::JournalStats> journal;
    std::chrono::seconds sink_max_delay{300};  // [gateway] health_sink_max_delay
    TimePoint now = Clock::now();
    std::vector<MeterReadings> readings;  // [gateway] metrics_readings: each meter's latest readings
};

struct MetricsSources {
    std::function<std::vector<MeterSnapshot>()> meters;  // thread-safe
    std::function<std::vector<bus::LaneStats>()> lanes;  // thread-safe
    std::function<GatewaySnapshot()> gateway;            // thread-safe; may be empty
    // The /api/status document, charts thinned to at most N points if asked; empty: no status page.
    std::function<std::string(std::optional<std::size_t> max_points)> status;
    // "read now" from the status page ([gateway] status_read_now); empty: not offered.
    std::function<ReadRequestResult(const std::string& meter)> read_now;
};

std::string render_openmetrics(const std::vector<MeterSnapshot>& meters, const std::vector<bus::LaneStats>& lanes,
                               const GatewaySnapshot& gateway = {});
// {"status":"ok"|"degraded","meters":[…],"sinks":[…],"journal":{…},"failing":[…]}; `healthy`
// tells which.
std::string render_health(const std::vector<MeterSnapshot>& meters, const std::vector<bus::LaneStats>& lanes,
                          bool& healthy, const GatewaySnapshot& gateway = {});
nlohmann::json health_json(const std::vector<MeterSnapshot>& meters, const std::vector<bus::LaneStats>& lanes,
                           bool& healthy, const GatewaySnapshot& gateway);

// A label value in OpenMetrics: backslash, quote and newline escaped.
std::string openmetrics_label(std::string_view value);

// Why a sink counts as failing for /health, or nothing (app_sink_health.cpp).
std::optional<std::string> sink_problem(const bus::LaneStats& lane, const GatewaySnapshot& gateway);
// The journal's part of /health and /metrics.
std::optional<std::string> journal_problem(const bus::JournalStats& journal);
nlohmann::json sink_health_json(const bus::LaneStats& lane, const GatewaySnapshot& gateway);
nlohmann::json journal_health_json(const bus::JournalStats& journal);
void render_journal_metrics(std::ostringstream& out, const bus::JournalStats& journal);
void render_sink_delivery_metrics(std::ostringstream& out, const std::vector<bus::LaneStats>& lanes,
                                  const GatewaySnapshot& gateway);

class MetricsServer {
public:
    MetricsServer(MetricsSources sources);
    ~MetricsServer();
    // Binds "host:port" (port 0 picks one); throws std::runtime_error with the reason on failure.
    // With a `token`, every request must carry it (http_access.hpp).
    void start(const std::string& listen, const std::string& token = {});
    [[nodiscard]] int port() const { return port_; }
    void stop();

private:
    void add_status_routes();
    MetricsSources sources_;
    std::unique_ptr<httplib::Server> server_;
    std::thread thread_;
    int port_ = 0;
};

}  // namespace kamgw::app
