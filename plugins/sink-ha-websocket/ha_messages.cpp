#include "plugins/sink-ha-websocket/ha_messages.hpp"

#include <charconv>
#include <cstdio>

#include "kamgw/home_assistant.hpp"
#include "plugins/sink-ha-websocket/statistic_id.hpp"

namespace kamgw::ha_websocket {
namespace {

bool read_int(std::string_view& text, std::size_t digits, int& out) {
    if (text.size() < digits) return false;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + digits, out);
    if (ec != std::errc{} || end != text.data() + digits) return false;
    text.remove_prefix(digits);
    return true;
}

bool expect(std::string_view& text, char c) {
    if (text.empty() || text.front() != c) return false;
    text.remove_prefix(1);
    return true;
}

}  // namespace

std::string_view metadata_schema_name(MetadataSchema s) {
    return s == MetadataSchema::mean_type ? "mean_type/unit_class (2025.11+)" : "has_mean (before 2025.11)";
}

MetadataSchema metadata_schema_for(HaRelease release) {
    // An unknown version is more likely a new development build than a pre-2025.11 one.
    return release.at_least({2025, 11}) ? MetadataSchema::mean_type : MetadataSchema::has_mean;
}

std::optional<MetadataSchema> schema_after_invalid_format(MetadataSchema sent, std::string_view message) {
    const bool names_new =
        message.find("mean_type") != std::string_view::npos || message.find("unit_class") != std::string_view::npos;
    const bool names_old = message.find("has_mean") != std::string_view::npos;
    if (sent == MetadataSchema::mean_type && names_new) return MetadataSchema::has_mean;
    if (sent == MetadataSchema::has_mean && names_old) return MetadataSchema::mean_type;
    return std::nullopt;
}

std::string unit_class_for(Quantity q) {
    switch (q) {
        case Quantity::energy:
            return "energy";
        case Quantity::volume:
            return "volume";
        case Quantity::duration:
            return "duration";
        default:
            return "";
    }
}

json statistics_metadata(const StatisticMeta& meta, MetadataSchema schema) {
    json m = {{"statistic_id", meta.statistic_id},
              {"source", meta.source},
              {"name", meta.name},
              {"unit_of_measurement", meta.unit},
              {"has_sum", true}};
    if (schema == MetadataSchema::mean_type) {
        m["mean_type"] = 0;  // no mean: a cumulative register
        m["unit_class"] = meta.unit_class.empty() ? json(nullptr) : json(meta.unit_class);
    } else {
        m["has_mean"] = false;
    }
    return m;
}

json import_statistics_command(const StatisticMeta& meta, MetadataSchema schema, std::span<const StatRow> rows) {
    json stats = json::array();
    for (const StatRow& r : rows) stats.push_back({{"start", iso_hour(r.start)}, {"state", r.state}, {"sum", r.sum}});
    return {{"type", "recorder/import_statistics"},
            {"metadata", statistics_metadata(meta, schema)},
            {"stats", std::move(stats)}};
}

json statistics_during_period_command(const std::vector<std::string>& statistic_ids, TimePoint start, bool types) {
    json command = {{"type", "recorder/statistics_during_period"},
                    {"start_time", iso_hour(hour_floor(start))},
                    {"statistic_ids", statistic_ids},
                    {"period", "hour"}};
    if (types) command["types"] = {"sum", "state"};
    return command;
}

bool accepts_statistic_types(HaRelease release) { return release.at_least({2022, 12}); }

bool refuses_statistic_types(std::string_view message) {
    return message.find("data['types']") != std::string_view::npos;
}

std::optional<TimePoint> parse_iso_time(std::string_view t) {
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
    if (!read_int(t, 4, y) || !expect(t, '-') || !read_int(t, 2, mo) || !expect(t, '-') || !read_int(t, 2, d))
        return std::nullopt;
    if (t.empty() || (t.front() != 'T' && t.front() != ' ')) return std::nullopt;
    t.remove_prefix(1);
    if (!read_int(t, 2, h) || !expect(t, ':') || !read_int(t, 2, mi) || !expect(t, ':') || !read_int(t, 2, s))
        return std::nullopt;
    std::chrono::microseconds fraction{0};
    if (!t.empty() && t.front() == '.') {
        t.remove_prefix(1);
        long long scale = 100000, us = 0;
        while (!t.empty() && t.front() >= '0' && t.front() <= '9') {
            us += (t.front() - '0') * scale;
            scale /= 10;
            t.remove_prefix(1);
        }
        fraction = std::chrono::microseconds(us);
    }
    int offset_minutes = 0;
    if (t == "Z") {
        t = {};
    } else if (!t.empty() && (t.front() == '+' || t.front() == '-')) {
        const int sign = t.front() == '-' ? -1 : 1;
        t.remove_prefix(1);
        int oh = 0, om = 0;
        if (!read_int(t, 2, oh) || !expect(t, ':') || !read_int(t, 2, om)) return std::nullopt;
        offset_minutes = sign * (oh * 60 + om);
    } else {
        return std::nullopt;  // a naive time: Home Assistant refuses those as well
    }
    if (!t.empty()) return std::nullopt;
    const std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{static_cast<unsigned>(mo)},
                                          std::chrono::day{static_cast<unsigned>(d)}};
    if (!ymd.ok() || h > 23 || mi > 59 || s > 60) return std::nullopt;
    // Nanoseconds since 1970 hold the years 1678 to 2261; outside them the arithmetic below
    // overflows, and Home Assistant sends no such times.
    if (y < 1700 || y > 2200) return std::nullopt;
    auto tp = std::chrono::sys_days(ymd) + std::chrono::hours(h) + std::chrono::minutes(mi) + std::chrono::seconds(s) +
              fraction - std::chrono::minutes(offset_minutes);
    return std::chrono::time_point_cast<Clock::duration>(tp);
}

std::optional<TimePoint> parse_ha_time(const json& value) {
    if (value.is_number()) {
        // Beyond about ±290 years from 1970 (9.2e12 ms) a time point in nanoseconds overflows;
        // no answer from Home Assistant means that, so it is no time at all.
        constexpr double limit = 9e12;
        const double number = value.get<double>();
        if (!(number > -limit && number < limit)) return std::nullopt;
        const auto ms = static_cast<long long>(number);
        return TimePoint(std::chrono::duration_cast<Clock::duration>(std::chrono::milliseconds(ms)));
    }
    if (value.is_string()) return parse_iso_time(value.get<std::string>());
    return std::nullopt;
}

std::map<std::string, ResumePoint> last_rows(const json& result) {
    std::map<std::string, ResumePoint> out;
    if (!result.is_object()) return out;
    for (const auto& [id, rows] : result.items()) {
        if (!rows.is_array()) continue;
        for (const json& row : rows) {
            if (!row.is_object() || !row.contains("start")) continue;
            const auto start = parse_ha_time(row["start"]);
            if (!start) continue;
            ResumePoint p;
            p.start = hour_floor(*start);
            if (row.contains("state") && row["state"].is_number()) p.state = row["state"].get<double>();
            if (row.contains("sum") && row["sum"].is_number()) p.sum = row["sum"].get<double>();
            auto it = out.find(id);
            if (it == out.end() || it->second.start < p.start) out[id] = p;
        }
    }
    return out;
}

json auth_message(const std::string& token) { return {{"type", "auth"}, {"access_token", token}}; }

json supported_features_command() { return {{"type", "supported_features"}, {"features", {{"coalesce_messages", 1}}}}; }

json subscribe_events_command(std::string_view event_type) {
    return {{"type", "subscribe_events"}, {"event_type", event_type}};
}

StatePush state_push(const MeterIdentity& meter, const Reading& reading, HaRelease release) {
    StatePush p;
    p.entity_id = make_entity_id(meter.serial, reading.key);
    const HaPresentation look = ha_presentation(reading.ha, reading.unit, release);
    json attributes = json::object();
    std::string state;
    if (reading.quality == Quality::error) {
        state = "unavailable";
    } else if (look.device_class == HaDeviceClass::timestamp) {
        const auto date = reading_date(reading.value, reading.unit);
        if (date) {
            char buf[96];
            std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT00:00:00+00:00", static_cast<int>(date->year()),
                          static_cast<unsigned>(date->month()), static_cast<unsigned>(date->day()));
            state = buf;
        } else {
            state = "unknown";
        }
    } else {
        state = reading.value.to_string();
    }
    if (look.device_class != HaDeviceClass::none)
        attributes["device_class"] = std::string(ha_device_class_name(look.device_class));
    if (look.state_class != HaStateClass::none)
        attributes["state_class"] = std::string(ha_state_class_name(look.state_class));
    if (!look.unit.empty()) attributes["unit_of_measurement"] = std::string(look.unit);
    if (!reading.ha.icon.empty()) attributes["icon"] = std::string(reading.ha.icon);
    const std::string who = meter.name.empty() ? "Kamstrup " + meter.serial : meter.name;
    attributes["friendly_name"] = who + " " + (reading.name.empty() ? reading.key : reading.name);
    p.body = {{"state", state}, {"attributes", std::move(attributes)}};
    return p;
}

json fire_event_command(const ReadingBatch& batch) {
    json values = json::object();
    for (const Reading& r : batch.readings) {
        if (r.quality == Quality::error) continue;
        values[r.key] = {{"value", r.value.to_double()}, {"unit", std::string(r.unit_symbol())}};
    }
    return {{"type", "fire_event"},
            {"event_type", "kamgw_reading"},
            {"event_data",
             {{"meter", batch.meter.name},
              {"serial", batch.meter.serial},
              {"model", batch.meter.model},
              {"time", iso_hour(hour_floor(batch.finished))},
              {"values", std::move(values)}}}};
}

}  // namespace kamgw::ha_websocket
