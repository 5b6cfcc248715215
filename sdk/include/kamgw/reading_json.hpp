// Readings as text in the shapes kamgw prints everywhere: the UTC time of a reading, one
// register as a JSON object (what `kamgw read --json` prints, one per line), and one poll as a
// JSON object. Values are JSON numbers with the exact digits the meter sent (110.740 stays
// 110.740); a reader that parses them as doubles gets the nearest double, like any JSON number.
#pragma once

#include <chrono>
#include <cstdio>
#include <string>

#include "kamgw/json_object.hpp"
#include "kamgw/reading.hpp"

namespace kamgw {

// "2026-11-25T16:20:26Z": ISO 8601 in UTC, whole seconds (a meter's clock has no finer grain).
inline std::string utc_text(TimePoint time) {
    using namespace std::chrono;
    const auto secs = floor<seconds>(time);
    const auto days = floor<std::chrono::days>(secs);
    const year_month_day ymd{days};
    const hh_mm_ss hms{secs - days};
    char buf[40];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                  static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                  static_cast<int>(hms.seconds().count()));
    return buf;
}

// The fields naming a meter and one register: "meter", "serial", "model", "id", "key", "name".
inline JsonObject register_json_head(const MeterIdentity& meter, std::uint16_t id, std::string_view key,
                                     std::string_view name) {
    JsonObject o;
    o.string("meter", meter.name).string("serial", meter.serial).string("model", meter.model);
    o.number("id", id).string("key", key).string("name", name);
    return o;
}

// The fields of a value: "value", "unit", "unit_code", "quantity", "quality", "time".
inline JsonObject& reading_json_fields(JsonObject& o, const Reading& r) {
    return o.raw("value", r.value.to_string())
        .string("unit", r.unit_symbol())
        .number("unit_code", r.unit_code)
        .string("quantity", quantity_name(r.quantity))
        .string("quality", quality_name(r.quality))
        .string("time", utc_text(r.time));
}

// {"meter","serial","model","id","key","name","value","unit","unit_code","quantity","quality","time"}
inline std::string reading_json(const MeterIdentity& meter, const Reading& reading) {
    JsonObject o = register_json_head(meter, reading.register_id, reading.key, reading.name);
    return reading_json_fields(o, reading).str();
}

// One poll: {"meter","serial","model","time" (when the poll finished),"batch_id","on_demand",
// "readings":[reading_json objects],"missing":[{"id","key","reason"}]}.
inline std::string batch_json(const ReadingBatch& batch) {
    std::string readings = "[";
    for (const Reading& r : batch.readings) {
        if (readings.size() > 1) readings += ',';
        readings += reading_json(batch.meter, r);
    }
    std::string missing = "[";
    for (const MissingRegister& m : batch.missing) {
        if (missing.size() > 1) missing += ',';
        JsonObject o;
        missing +=
            o.number("id", m.register_id).string("key", m.key).string("reason", missing_reason_name(m.reason)).str();
    }
    JsonObject o;
    o.string("meter", batch.meter.name).string("serial", batch.meter.serial).string("model", batch.meter.model);
    o.string("time", utc_text(batch.finished))
        .string("batch_id", batch_id(batch))
        .boolean("on_demand", batch.on_demand);
    return o.raw("readings", readings + "]").raw("missing", missing + "]").str();
}

}  // namespace kamgw
