#include "csv_format.hpp"

#include "kamgw/reading_json.hpp"

namespace kamgw::csv {

std::string escape_field(std::string_view field) {
    if (field.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(field);
    std::string out;
    out.reserve(field.size() + 4);
    out.push_back('"');
    for (char c : field) {
        if (c == '"') out.push_back('"');
        out.push_back(c);
    }
    out.push_back('"');
    return out;
}

std::string format_utc(TimePoint time) { return utc_text(time); }

std::string format_header(const CsvStyle& style) {
    return "time,meter,serial,key,id,value,unit,quality" + std::string(style.line_end);
}

std::string format_rows(std::span<const ReadingBatch> batches, const CsvStyle& style) {
    std::string out;
    for (const ReadingBatch& batch : batches) {
        // Meter name and serial repeat on every row of a batch: escape them once.
        const std::string meter = escape_field(batch.meter.name);
        const std::string serial = escape_field(batch.meter.serial);
        for (const Reading& r : batch.readings) {
            out += format_utc(r.time);
            out += ',';
            out += meter;
            out += ',';
            out += serial;
            out += ',';
            out += escape_field(r.key);
            out += ',';
            out += std::to_string(r.register_id);
            out += ',';
            if (r.quality != Quality::error) out += r.value.to_string();
            out += ',';
            out += escape_field(r.unit_symbol());
            out += ',';
            out += quality_name(r.quality);
            out += style.line_end;
        }
    }
    return out;
}

}  // namespace kamgw::csv
