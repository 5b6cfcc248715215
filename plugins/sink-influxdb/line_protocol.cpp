#include "plugins/sink-influxdb/line_protocol.hpp"

#include <algorithm>
#include <charconv>

namespace kamgw::influxdb {

std::string_view precision_name(Precision p) {
    switch (p) {
        case Precision::ns:
            return "ns";
        case Precision::us:
            return "us";
        case Precision::ms:
            return "ms";
        case Precision::s:
            return "s";
    }
    return "s";
}

std::string_view LinePayload::line(std::size_t i) const {
    const std::size_t begin = i == 0 ? 0 : line_ends[i - 1];
    return std::string_view(text).substr(begin, line_ends[i] - begin - 1);
}

std::string_view LinePayload::slice(std::size_t first, std::size_t count) const {
    if (count == 0 || first >= line_ends.size()) return {};
    const std::size_t last = std::min(first + count, line_ends.size()) - 1;
    const std::size_t begin = first == 0 ? 0 : line_ends[first - 1];
    return std::string_view(text).substr(begin, line_ends[last] - begin);
}

namespace {

void append_escaped(std::string& out, std::string_view text, std::string_view specials) {
    for (char c : text) {
        if (specials.find(c) != std::string_view::npos) out.push_back('\\');
        out.push_back(c);
    }
}

void append_int(std::string& out, std::int64_t v) {
    char buf[24];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    (void)ec;
    out.append(buf, end);
}

// ",key=value" for a tag that has a value; line protocol has no empty tag values, so an
// unknown serial or model is simply left out.
void append_tag(std::string& out, std::string_view key, std::string_view value) {
    if (value.empty()) return;
    out.push_back(',');
    append_tag_or_field_key(out, key);
    out.push_back('=');
    append_tag_value(out, value);
}

std::string newline_field(const MeterIdentity& m) {
    if (has_newline(m.name)) return "meter name";
    if (has_newline(m.serial)) return "serial";
    if (has_newline(m.model)) return "model";
    return {};
}

void format_narrow(LinePayload& out, const ReadingBatch& batch, const FormatOptions& options) {
    const std::string meter_problem = newline_field(batch.meter);
    for (const Reading& r : batch.readings) {
        if (r.quality != Quality::ok) continue;
        const std::string_view unit = r.unit_symbol();
        std::string problem = meter_problem;
        if (problem.empty() && has_newline(r.key)) problem = "register key";
        if (problem.empty() && has_newline(unit)) problem = "unit";
        if (!problem.empty()) {
            out.dropped.push_back({batch.meter.name, r.key, "the " + problem + " contains a line break"});
            continue;
        }
        // Tags in key order: InfluxDB sorts them anyway, and sending them sorted saves it the work.
        std::string& t = out.text;
        append_measurement(t, options.measurement);
        append_tag(t, "key", r.key);
        append_tag(t, "meter", batch.meter.name);
        append_tag(t, "model", batch.meter.model);
        append_tag(t, "serial", batch.meter.serial);
        append_tag(t, "unit", unit);
        // Always a float (no 'i' suffix): the field's type must never change between points,
        // and the decimal text is already exact.
        t += " value=";
        t += r.value.to_string();
        t.push_back(' ');
        append_int(t, timestamp(r.time, options.precision));
        t.push_back('\n');
        out.line_ends.push_back(t.size());
    }
}

void format_wide(LinePayload& out, const ReadingBatch& batch, const FormatOptions& options) {
    const Reading* first = nullptr;
    for (const Reading& r : batch.readings)
        if (r.quality == Quality::ok) {
            first = &r;
            break;
        }
    if (!first) return;
    if (std::string problem = newline_field(batch.meter); !problem.empty()) {
        out.dropped.push_back({batch.meter.name, {}, "the " + problem + " contains a line break"});
        return;
    }
    std::string& t = out.text;
    const std::size_t start = t.size();
    append_measurement(t, options.measurement);
    append_tag(t, "meter", batch.meter.name);
    append_tag(t, "model", batch.meter.model);
    append_tag(t, "serial", batch.meter.serial);
    char separator = ' ';
    for (const Reading& r : batch.readings) {
        if (r.quality != Quality::ok) continue;
        if (r.key.empty() || has_newline(r.key)) {
            out.dropped.push_back({batch.meter.name, r.key, "the register key is empty or contains a line break"});
            continue;
        }
        t.push_back(separator);
        separator = ',';
        append_tag_or_field_key(t, r.key);
        t.push_back('=');
        t += r.value.to_string();
    }
    if (separator == ' ') {  // every field was refused: no point at all
        t.resize(start);
        return;
    }
    // One poll is one point; its time is when the meter answered the first register.
    t.push_back(' ');
    append_int(t, timestamp(first->time, options.precision));
    t.push_back('\n');
    out.line_ends.push_back(t.size());
}

}  // namespace

void append_measurement(std::string& out, std::string_view measurement) { append_escaped(out, measurement, ", "); }

void append_tag_or_field_key(std::string& out, std::string_view text) { append_escaped(out, text, ",= "); }

void append_string_field_value(std::string& out, std::string_view text) {
    out.push_back('"');
    append_escaped(out, text, "\"\\");
    out.push_back('"');
}

bool has_newline(std::string_view text) { return text.find_first_of("\r\n") != std::string_view::npos; }

std::int64_t timestamp(TimePoint time, Precision precision) {
    using namespace std::chrono;
    const auto since = time.time_since_epoch();
    switch (precision) {
        case Precision::ns:
            return floor<nanoseconds>(since).count();
        case Precision::us:
            return floor<microseconds>(since).count();
        case Precision::ms:
            return floor<milliseconds>(since).count();
        case Precision::s:
            return floor<seconds>(since).count();
    }
    return floor<seconds>(since).count();
}

LinePayload format_lines(std::span<const ReadingBatch> batches, const FormatOptions& options) {
    LinePayload out;
    std::size_t readings = 0;
    for (const auto& b : batches) readings += b.readings.size();
    out.text.reserve(readings * 112);
    out.line_ends.reserve(options.layout == Layout::narrow ? readings : batches.size());
    for (const auto& batch : batches) {
        if (options.layout == Layout::narrow)
            format_narrow(out, batch, options);
        else
            format_wide(out, batch, options);
    }
    return out;
}

LinePayload without_lines(const LinePayload& payload, std::span<const std::size_t> drop) {
    LinePayload out;
    out.dropped = payload.dropped;
    out.text.reserve(payload.text.size());
    for (std::size_t i = 0; i < payload.lines(); ++i) {
        if (std::find(drop.begin(), drop.end(), i) != drop.end()) continue;
        out.text += payload.slice(i, 1);
        out.line_ends.push_back(out.text.size());
    }
    return out;
}

}  // namespace kamgw::influxdb
