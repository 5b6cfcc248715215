#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "core/app/status_api.hpp"
#include "core/config/redact.hpp"
#include "kamgw/reading_json.hpp"

namespace kamgw::app {
namespace {

using json = nlohmann::json;

// A float as the shortest JSON number that still reads back as that float (12.345, not
// 12.345000267028809): a chart point costs a third of the bytes.
json chart_value(float value) {
    char text[32];
    std::snprintf(text, sizeof text, "%.7g", static_cast<double>(value));
    return std::strtod(text, nullptr);
}

json time_or_null(const std::optional<TimePoint>& t) { return t ? json(utc_text(*t)) : json(nullptr); }

json status_reading(const Reading& r) {
    // "value" is for programs, "text" keeps the meter's digits for people (110.740, not 110.74).
    return {{"key", r.key},
            {"name", r.name},
            {"value", r.value.to_double()},
            {"text", r.value.to_string()},
            {"unit", std::string(r.unit_symbol())},
            {"quantity", std::string(quantity_name(r.quantity))},
            {"quality", std::string(quality_name(r.quality))},
            {"time", utc_text(r.time)}};
}

json status_link(const StatusMeter& m) {
    const SessionCounters& c = m.meter.counters;
    std::uint64_t requests = 0, answered = 0;
    json recent = json::array();
    for (const PollOutcome& p : m.history.polls) {
        requests += p.requests;
        answered += p.answered;
        recent.push_back({{"time", utc_text(p.time)},
                          {"requests", p.requests},
                          {"answered", p.answered},
                          {"health", std::string(meter_health_name(p.health))}});
    }
    return {{"requests", c.requests},         {"responses", c.responses},
            {"timeouts", c.timeouts},         {"crc_errors", c.crc_errors},
            {"bad_frames", c.bad_frames},     {"retries", c.retries},
            {"reconnects", c.reconnects},     {"polls", c.polls},
            {"polls_failed", c.polls_failed}, {"recent_requests", requests},
            {"recent_answered", answered},    {"recent_polls", std::move(recent)}};
}

json status_meter(const StatusMeter& m, std::optional<std::size_t> max_points) {
    const MeterSnapshot& s = m.meter;
    json readings = json::array();
    std::vector<std::string> shown;
    // Configured order first; a register the meter sent unasked (none today) after them.
    for (const std::string& key : m.register_keys)
        if (auto it = m.history.latest.find(key); it != m.history.latest.end()) {
            readings.push_back(status_reading(it->second));
            shown.push_back(key);
        }
    for (const auto& [key, reading] : m.history.latest)
        if (std::find(shown.begin(), shown.end(), key) == shown.end()) readings.push_back(status_reading(reading));

    json missing = json::array();
    std::vector<std::string> listed;
    for (const std::string& key : s.missing_registers) {
        missing.push_back({{"key", key}, {"reason", "not_supported"}});
        listed.push_back(key);
    }
    for (const MissingRegister& r : m.history.missing)
        if (std::find(listed.begin(), listed.end(), r.key) == listed.end())
            missing.push_back({{"key", r.key}, {"reason", std::string(missing_reason_name(r.reason))}});

    json charts = json::array();
    for (const ChartSeries& series : m.history.charts) {
        json points = json::array();
        const auto kept = max_points ? thin_points(series.points, *max_points) : series.points;
        for (const ChartPoint& p : kept) points.push_back(json::array({p.unix_seconds, chart_value(p.value)}));
        charts.push_back(
            {{"key", series.key}, {"name", series.name}, {"unit", series.unit}, {"points", std::move(points)}});
    }
    return {{"name", s.name},
            {"model", s.identity.model},
            {"serial", s.identity.serial},
            {"firmware", s.identity.firmware},
            {"health", std::string(meter_health_name(s.health))},
            {"reason", config::redact_text(s.detail)},
            {"interval_seconds", m.interval.count()},
            {"last_poll", time_or_null(m.last_poll)},
            {"next_poll", time_or_null(m.next_poll)},
            {"poll_lag_seconds", s.poll_lag_seconds},
            {"behind", s.behind},
            {"link", status_link(m)},
            {"readings", std::move(readings)},
            {"missing", std::move(missing)},
            {"charts", std::move(charts)}};
}

}  // namespace

std::vector<ChartPoint> thin_points(const std::vector<ChartPoint>& points, std::size_t max_points) {
    if (points.size() <= max_points) return points;
    std::vector<ChartPoint> out;
    if (max_points == 0) return out;
    out.reserve(max_points);
    for (std::size_t bucket = 0; bucket < max_points; ++bucket) {
        const std::size_t from = bucket * points.size() / max_points;
        const std::size_t to = (bucket + 1) * points.size() / max_points;
        double sum = 0;
        for (std::size_t i = from; i < to; ++i) sum += points[i].value;
        out.push_back({points[to - 1].unix_seconds, static_cast<float>(sum / static_cast<double>(to - from))});
    }
    return out;
}

std::string render_status(const StatusGateway& gateway, const std::vector<StatusMeter>& meters,
                          const std::vector<bus::LaneStats>& lanes, const GatewaySnapshot& snapshot,
                          std::optional<std::size_t> max_points) {
    std::vector<MeterSnapshot> health_input;
    for (const StatusMeter& m : meters) health_input.push_back(m.meter);
    bool healthy = true;
    const json health = health_json(health_input, lanes, healthy, snapshot);

    json doc;
    doc["schema"] = status_schema_version;
    doc["gateway"] = {
        {"id", gateway.id},
        {"version", gateway.version},
        {"config_file", gateway.config_file},
        {"started", utc_text(gateway.started)},
        {"uptime_seconds",
         std::max<std::int64_t>(
             0, std::chrono::duration_cast<std::chrono::seconds>(snapshot.now - gateway.started).count())},
        {"now", utc_text(snapshot.now)},
        {"status", healthy ? "ok" : "degraded"},
        {"read_now", gateway.read_now},
        {"read_now_min_interval_seconds",
         std::chrono::duration_cast<std::chrono::seconds>(gateway.read_now_min_interval).count()},
        {"chart_resolution_seconds", gateway.chart_resolution.count()},
        {"chart_window_seconds", std::chrono::duration_cast<std::chrono::seconds>(MeterHistory::window).count()}};
    doc["meters"] = json::array();
    for (const StatusMeter& m : meters) doc["meters"].push_back(status_meter(m, max_points));
    doc["sinks"] = health["sinks"];
    doc["journal"] = health.contains("journal") ? health["journal"] : json(nullptr);
    doc["failing"] = health["failing"];
    doc["warnings"] = health["warnings"];
    return doc.dump();
}

}  // namespace kamgw::app
