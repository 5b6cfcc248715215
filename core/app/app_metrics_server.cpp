#include <httplib.h>
#include <nlohmann/json.hpp>

#include <sstream>
#include <stdexcept>

#include "core/app/http_access.hpp"
#include "core/app/metrics_server.hpp"
#include "core/app/status_page.hpp"
#include "core/config/redact.hpp"

namespace kamgw::app {
namespace {

std::string label(std::string_view value) { return openmetrics_label(value); }

void family(std::ostringstream& out, const char* name, const char* type, const char* help) {
    out << "# TYPE " << name << ' ' << type << "\n# HELP " << name << ' ' << help << '\n';
}

bool meter_ok(MeterHealth h) { return h == MeterHealth::ok || h == MeterHealth::starting; }

// Every lane state, for the state-set: a lane has one series per state whatever it is in.
constexpr bus::LaneState lane_states[] = {
    bus::LaneState::created,      bus::LaneState::starting, bus::LaneState::running, bus::LaneState::retrying,
    bus::LaneState::start_failed, bus::LaneState::draining, bus::LaneState::stopped};

}  // namespace

std::string openmetrics_label(std::string_view value) {
    std::string out;
    for (char c : value) {
        if (c == '\\' || c == '"') out.push_back('\\');
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        out.push_back(c);
    }
    return out;
}

std::string render_openmetrics(const std::vector<MeterSnapshot>& meters, const std::vector<bus::LaneStats>& lanes,
                               const GatewaySnapshot& gateway) {
    std::ostringstream out;
    struct Counter {
        const char* name;
        const char* help;
        std::uint64_t SessionCounters::*field;
    };
    static constexpr Counter counters[] = {
        {"kamgw_meter_requests", "KMP requests sent", &SessionCounters::requests},
        {"kamgw_meter_responses", "valid KMP responses received", &SessionCounters::responses},
        {"kamgw_meter_bytes_sent", "bytes written to the meter's link", &SessionCounters::bytes_sent},
        {"kamgw_meter_bytes_received", "bytes read from the meter's link", &SessionCounters::bytes_received},
        {"kamgw_meter_timeouts", "requests the meter did not answer in time", &SessionCounters::timeouts},
        {"kamgw_meter_crc_errors", "answers rejected for a bad CRC", &SessionCounters::crc_errors},
        {"kamgw_meter_bad_frames", "answers rejected for other framing errors", &SessionCounters::bad_frames},
        {"kamgw_meter_retries", "requests sent again after a timeout or bad answer", &SessionCounters::retries},
        {"kamgw_meter_reconnects",
         "attempts to open the link again after the first (after a lost link, a failed attempt or a useless link)",
         &SessionCounters::reconnects},
        {"kamgw_meter_polls", "polls attempted", &SessionCounters::polls},
        {"kamgw_meter_polls_failed", "polls that got no reading", &SessionCounters::polls_failed},
    };
    for (const auto& c : counters) {
        family(out, c.name, "counter", c.help);
        for (const auto& m : meters)
            out << c.name << "_total{meter=\"" << label(m.name) << "\"} " << m.counters.*c.field << '\n';
    }
    family(out, "kamgw_meter", "info", "the meter's serial number and model, once it has been identified");
    for (const auto& m : meters)
        if (!m.identity.serial.empty())
            out << "kamgw_meter_info{meter=\"" << label(m.name) << "\",serial=\"" << label(m.identity.serial)
                << "\",model=\"" << label(m.identity.model) << "\"} 1\n";
    family(out, "kamgw_meter_up", "gauge", "1 when the meter's last poll got answers");
    for (const auto& m : meters)
        out << "kamgw_meter_up{meter=\"" << label(m.name) << "\"} " << (m.health == MeterHealth::ok ? 1 : 0) << '\n';
    family(out, "kamgw_meter_health", "stateset", "the meter's health; exactly one state is 1");
    static constexpr MeterHealth states[] = {MeterHealth::starting, MeterHealth::ok, MeterHealth::no_answer,
                                             MeterHealth::link_down, MeterHealth::unsupported};
    for (const auto& m : meters)
        for (MeterHealth h : states)
            out << "kamgw_meter_health{meter=\"" << label(m.name) << "\",kamgw_meter_health=\"" << meter_health_name(h)
                << "\"} " << (m.health == h ? 1 : 0) << '\n';
    family(out, "kamgw_meter_poll_lag_seconds", "gauge", "how late the meter's last scheduled poll started");
    out << "# UNIT kamgw_meter_poll_lag_seconds seconds\n";
    for (const auto& m : meters)
        out << "kamgw_meter_poll_lag_seconds{meter=\"" << label(m.name) << "\"} " << m.poll_lag_seconds << '\n';
    family(out, "kamgw_meter_missing_registers", "gauge", "configured registers the meter does not have");
    for (const auto& m : meters)
        out << "kamgw_meter_missing_registers{meter=\"" << label(m.name) << "\"} " << m.missing_registers.size()
            << '\n';

    struct LaneCounter {
        const char* name;
        const char* help;
        std::uint64_t bus::LaneStats::*field;
    };
    static constexpr LaneCounter lane_counters[] = {
        {"kamgw_sink_written_batches", "reading batches delivered", &bus::LaneStats::written_batches},
        {"kamgw_sink_retries", "writes that failed and were retried", &bus::LaneStats::retries},
        {"kamgw_sink_dropped_batches", "batches dropped (queue full, sink disabled, shutdown)",
         &bus::LaneStats::dropped},
        {"kamgw_sink_rejected_batches", "batches the sink refused for good", &bus::LaneStats::rejected},
    };
    for (const auto& c : lane_counters) {
        family(out, c.name, "counter", c.help);
        for (const auto& l : lanes)
            out << c.name << "_total{sink=\"" << label(l.name) << "\",type=\"" << label(l.type) << "\"} " << l.*c.field
                << '\n';
    }
    family(out, "kamgw_sink_queued_batches", "gauge", "batches waiting for the sink");
    for (const auto& l : lanes)
        out << "kamgw_sink_queued_batches{sink=\"" << label(l.name) << "\"} " << l.queued_batches << '\n';
    family(out, "kamgw_sink_state", "stateset", "the sink lane's state; exactly one state is 1");
    for (const auto& l : lanes)
        for (bus::LaneState state : lane_states)
            out << "kamgw_sink_state{sink=\"" << label(l.name) << "\",kamgw_sink_state=\""
                << bus::lane_state_name(state) << "\"} " << (l.state == state ? 1 : 0) << '\n';
    family(out, "kamgw_sink_queued_bytes", "gauge", "bytes waiting for the sink");
    for (const auto& l : lanes)
        out << "kamgw_sink_queued_bytes{sink=\"" << label(l.name) << "\"} " << l.queued_bytes << '\n';
    render_sink_delivery_metrics(out, lanes, gateway);
    if (gateway.journal) render_journal_metrics(out, *gateway.journal);
    render_reading_metrics(out, gateway.readings, gateway.now);
    out << "# EOF\n";
    return out.str();
}

std::string render_health(const std::vector<MeterSnapshot>& meters, const std::vector<bus::LaneStats>& lanes,
                          bool& healthy, const GatewaySnapshot& gateway) {
    return health_json(meters, lanes, healthy, gateway).dump();
}

nlohmann::json health_json(const std::vector<MeterSnapshot>& meters, const std::vector<bus::LaneStats>& lanes,
                           bool& healthy, const GatewaySnapshot& gateway) {
    healthy = true;
    nlohmann::json doc;
    doc["meters"] = nlohmann::json::array();
    doc["failing"] = nlohmann::json::array();
    doc["warnings"] = nlohmann::json::array();
    for (const auto& m : meters) {
        healthy = healthy && meter_ok(m.health);
        doc["meters"].push_back({{"name", m.name},
                                 {"serial", m.identity.serial},
                                 {"model", m.identity.model},
                                 {"health", meter_health_name(m.health)},
                                 {"detail", m.detail},
                                 {"polls", m.counters.polls},
                                 {"polls_failed", m.counters.polls_failed},
                                 {"reconnects", m.counters.reconnects},
                                 {"poll_lag_seconds", m.poll_lag_seconds},
                                 {"missing_registers", m.missing_registers}});
        if (!meter_ok(m.health))
            doc["failing"].push_back(
                {{"meter", m.name}, {"health", meter_health_name(m.health)}, {"reason", m.detail}});
        for (const auto& key : m.missing_registers)
            doc["warnings"].push_back("meter " + m.name + " has no register " + key + " (configured, never read)");
        if (m.behind) doc["warnings"].push_back("meter " + m.name + ": polls are falling behind their interval");
    }
    doc["sinks"] = nlohmann::json::array();
    for (const auto& l : lanes) {
        doc["sinks"].push_back(sink_health_json(l, gateway));
        if (auto problem = sink_problem(l, gateway)) {
            healthy = false;
            doc["failing"].push_back(
                {{"sink", l.name}, {"state", bus::lane_state_name(l.state)}, {"reason", *problem}});
        }
    }
    if (gateway.journal) {
        doc["journal"] = journal_health_json(*gateway.journal);
        if (auto problem = journal_problem(*gateway.journal)) {
            healthy = false;
            doc["failing"].push_back({{"journal", "journal"}, {"reason", *problem}});
        }
    }
    doc["status"] = healthy ? "ok" : "degraded";
    return doc;
}

MetricsServer::MetricsServer(MetricsSources sources) : sources_(std::move(sources)) {}

MetricsServer::~MetricsServer() { stop(); }

void MetricsServer::start(const std::string& listen, const std::string& token) {
    const auto colon = listen.rfind(':');
    if (colon == std::string::npos) throw std::runtime_error("metrics_listen '" + listen + "' is not host:port");
    const std::string host = listen.substr(0, colon);
    const int wanted = std::stoi(listen.substr(colon + 1));
    server_ = std::make_unique<httplib::Server>();
    server_->set_pre_routing_handler([token](const httplib::Request& req, httplib::Response& res) {
        if (request_authorized(req.get_header_value("Authorization"), token))
            return httplib::Server::HandlerResponse::Unhandled;
        // A browser asks the user for basic auth after this; scripts send a Bearer token.
        res.status = 401;
        res.set_header("WWW-Authenticate", "Basic realm=\"kamgw\", charset=\"UTF-8\"");
        res.set_content("this kamgw needs its metrics_token\n", "text/plain");
        return httplib::Server::HandlerResponse::Handled;
    });
    if (sources_.status) add_status_routes();
    server_->Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
        res.set_content(render_openmetrics(sources_.meters(), sources_.lanes(),
                                           sources_.gateway ? sources_.gateway() : GatewaySnapshot{}),
                        "application/openmetrics-text; version=1.0.0; charset=utf-8");
    });
    server_->Get("/health", [this](const httplib::Request&, httplib::Response& res) {
        bool healthy = true;
        res.set_content(render_health(sources_.meters(), sources_.lanes(), healthy,
                                      sources_.gateway ? sources_.gateway() : GatewaySnapshot{}),
                        "application/json");
        res.status = healthy ? 200 : 503;
    });
    port_ = wanted == 0 ? server_->bind_to_any_port(host) : (server_->bind_to_port(host, wanted) ? wanted : -1);
    if (port_ <= 0) {
        server_.reset();
        throw std::runtime_error("cannot listen on " + listen + " for metrics (address in use or not local?)");
    }
    thread_ = std::thread([this] { server_->listen_after_bind(); });
}

void MetricsServer::add_status_routes() {
    server_->Get("/", [](const httplib::Request&, httplib::Response& res) {
        // Nothing from elsewhere: the page works without internet and cannot be framed.
        res.set_header("Content-Security-Policy",
                       "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
                       "connect-src 'self'; img-src data:; frame-ancestors 'none'; base-uri 'none'");
        res.set_header("Referrer-Policy", "no-referrer");
        res.set_header("X-Content-Type-Options", "nosniff");
        res.set_content(status_page_html, sizeof status_page_html - 1, "text/html; charset=utf-8");
    });
    server_->Get("/api/status", [this](const httplib::Request& req, httplib::Response& res) {
        std::optional<std::size_t> max_points;
        if (req.has_param("points")) {
            const std::string text = req.get_param_value("points");
            if (text.empty() || text.size() > 6 || text.find_first_not_of("0123456789") != std::string::npos) {
                res.status = 400;
                res.set_content("points: a whole number of at most 6 digits\n", "text/plain");
                return;
            }
            max_points = std::stoul(text);
        }
        res.set_header("Cache-Control", "no-store");
        res.set_content(sources_.status(max_points), "application/json");
    });
    server_->Post(R"(/api/meters/([A-Za-z0-9_-]+)/read)", [this](const httplib::Request& req, httplib::Response& res) {
        auto answer = [&res](int status, const char* result, const std::string& message) {
            res.status = status;
            res.set_content(nlohmann::json{{"result", result}, {"message", message}}.dump(), "application/json");
        };
        if (!sources_.read_now) return answer(403, "disabled", "read now is off (status_read_now)");
        // A form on another site cannot send this header without asking first (CORS), and
        // kamgw never says yes: a browser's remembered basic auth cannot be used from there.
        if (req.get_header_value("X-Kamgw-Action") != "read-now")
            return answer(400, "bad_request", "send the header X-Kamgw-Action: read-now");
        switch (sources_.read_now(req.matches[1])) {
            case ReadRequestResult::accepted:
                return answer(202, "accepted", "reading now");
            case ReadRequestResult::rate_limited:
                return answer(429, "rate_limited", "read too recently; the battery comes first");
            case ReadRequestResult::unknown_meter:
                return answer(404, "unknown_meter", "no such meter");
        }
    });
}

void MetricsServer::stop() {
    if (server_) server_->stop();
    if (thread_.joinable()) thread_.join();
    server_.reset();
}

}  // namespace kamgw::app
