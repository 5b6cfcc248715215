// The sinks' and the journal's part of /health and /metrics: whether readings are really
// being delivered, not only whether a lane thread runs.
#include <fmt/format.h>

#include "core/app/metrics_server.hpp"
#include "core/config/redact.hpp"

namespace kamgw::app {
namespace {

std::int64_t seconds_since(const std::optional<TimePoint>& t, TimePoint now) {
    if (!t) return 0;
    return std::max<std::int64_t>(0, std::chrono::duration_cast<std::chrono::seconds>(now - *t).count());
}

std::string label(std::string_view value) { return openmetrics_label(value); }

}  // namespace

std::optional<std::string> sink_problem(const bus::LaneStats& lane, const GatewaySnapshot& gateway) {
    const auto bound = gateway.sink_max_delay.count();
    const std::string why = lane.last_error.empty() ? "" : ": " + config::redact_text(lane.last_error);
    if (lane.state == bus::LaneState::start_failed && seconds_since(lane.failing_since, gateway.now) >= bound)
        return fmt::format("sink {} has not started for {} s{}", lane.name,
                           seconds_since(lane.failing_since, gateway.now), why);
    if (lane.failing_since && seconds_since(lane.failing_since, gateway.now) >= bound)
        return fmt::format("sink {} has been failing for {} s{}", lane.name,
                           seconds_since(lane.failing_since, gateway.now), why);
    if (lane.oldest_queued && seconds_since(lane.oldest_queued, gateway.now) >= bound)
        return fmt::format("sink {}: its oldest undelivered reading is {} s old ({} batches waiting){}", lane.name,
                           seconds_since(lane.oldest_queued, gateway.now), lane.queued_batches, why);
    return std::nullopt;
}

std::optional<std::string> journal_problem(const bus::JournalStats& journal) {
    if (!journal.writable) return "journal: " + journal.error + " (readings wait in memory)";
    if (!journal.persistent && !journal.error.empty())
        return "journal: no usable state folder, readings are kept in memory only: " + journal.error;
    return std::nullopt;
}

nlohmann::json sink_health_json(const bus::LaneStats& lane, const GatewaySnapshot& gateway) {
    return {{"name", lane.name},
            {"type", lane.type},
            {"state", bus::lane_state_name(lane.state)},
            {"queued_batches", lane.queued_batches},
            {"oldest_queued_age_seconds", seconds_since(lane.oldest_queued, gateway.now)},
            {"failing_for_seconds", seconds_since(lane.failing_since, gateway.now)},
            {"delivered", lane.written_batches},
            {"dead_lettered", lane.dead_lettered},
            {"dropped", lane.dropped},
            {"last_error", config::redact_text(lane.last_error)}};
}

nlohmann::json journal_health_json(const bus::JournalStats& j) {
    return {{"persistent", j.persistent}, {"writable", j.writable},        {"error", config::redact_text(j.error)},
            {"disk_bytes", j.disk_bytes}, {"segments", j.segments},        {"pending_batches", j.pending},
            {"appended", j.appended},     {"evicted", j.evicted},          {"dropped", j.dropped},
            {"damaged", j.damaged},       {"write_errors", j.write_errors}};
}

void render_journal_metrics(std::ostringstream& out, const bus::JournalStats& j) {
    struct Counter {
        const char* name;
        const char* help;
        std::uint64_t value;
    };
    const Counter counters[] = {
        {"kamgw_journal_appended_batches", "polls appended to the journal", j.appended},
        {"kamgw_journal_written_bytes", "record bytes written to the journal's files", j.bytes_written},
        {"kamgw_journal_syncs", "fdatasync calls that succeeded", j.syncs},
        {"kamgw_journal_write_errors", "failed create, write, sync or truncate calls", j.write_errors},
        {"kamgw_journal_evicted_batches", "batches a size or age bound deleted before every sink had them", j.evicted},
        {"kamgw_journal_dropped_batches", "batches lost from memory while the disk could not take them", j.dropped},
        {"kamgw_journal_damaged_records", "records found torn or corrupt", j.damaged},
    };
    for (const auto& c : counters)
        out << "# TYPE " << c.name << " counter\n# HELP " << c.name << ' ' << c.help << '\n'
            << c.name << "_total " << c.value << '\n';
    out << "# TYPE kamgw_journal_bytes gauge\n# HELP kamgw_journal_bytes bytes of records on disk\n"
        << "kamgw_journal_bytes " << j.disk_bytes << '\n';
    out << "# TYPE kamgw_journal_pending_batches gauge\n# HELP kamgw_journal_pending_batches batches not yet "
           "safely on disk\n"
        << "kamgw_journal_pending_batches " << j.pending << '\n';
    out << "# TYPE kamgw_journal_writable gauge\n# HELP kamgw_journal_writable 1 while the journal's disk takes "
           "writes\n"
        << "kamgw_journal_writable " << (j.writable ? 1 : 0) << '\n';
}

void render_sink_delivery_metrics(std::ostringstream& out, const std::vector<bus::LaneStats>& lanes,
                                  const GatewaySnapshot& gateway) {
    out << "# TYPE kamgw_sink_dead_lettered_batches counter\n# HELP kamgw_sink_dead_lettered_batches batches moved "
           "to the sink's dead-letter file\n";
    for (const auto& l : lanes)
        out << "kamgw_sink_dead_lettered_batches_total{sink=\"" << label(l.name) << "\"} " << l.dead_lettered << '\n';
    out << "# TYPE kamgw_sink_start_failures counter\n# HELP kamgw_sink_start_failures Sink::start calls that "
           "threw\n";
    for (const auto& l : lanes)
        out << "kamgw_sink_start_failures_total{sink=\"" << label(l.name) << "\"} " << l.start_failures << '\n';
    out << "# TYPE kamgw_sink_oldest_queued_age_seconds gauge\n# HELP kamgw_sink_oldest_queued_age_seconds age of "
           "the oldest poll waiting for the sink (0: none)\n";
    for (const auto& l : lanes)
        out << "kamgw_sink_oldest_queued_age_seconds{sink=\"" << label(l.name) << "\"} "
            << seconds_since(l.oldest_queued, gateway.now) << '\n';
}

}  // namespace kamgw::app
