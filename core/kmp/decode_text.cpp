#include "core/kmp/decode_text.hpp"

#include <cstdio>

#include "core/kmp/commands.hpp"
#include "kamgw/json_object.hpp"
#include "core/kmp/register_catalogue.hpp"
#include "core/kmp/value_codec.hpp"
#include "kamgw/units.hpp"

namespace kamgw::kmp {
namespace {

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
        s.remove_suffix(1);
    return s;
}

// Input echoed back inside an error message: printable ASCII only, so the JSON stays valid
// whatever bytes the input had, and short.
std::string printable(std::string_view s) {
    std::string out;
    for (char c : s.substr(0, 120)) out += (c >= 0x20 && c < 0x7F) ? c : '?';
    if (s.size() > 120) out += "...";
    return out;
}

// Lines of the reference integration's log (and of Home Assistant's log around them) that
// carry no frame bytes. They are skipped rather than reported, but they do end a run of
// Read lines: "Rx Timeout" after half a frame means the rest never came.
bool is_log_line_without_bytes(std::string_view line) {
    // The reference integration's own lines, Home Assistant's log levels, and kamgw's (spdlog's
    // lower-case level after the time stamp, or first on the line under journald).
    for (std::string_view marker :
         {"Rx Timeout", "CRC error", "NBR error", "Missing Escape", "Finished update", " DEBUG ", " INFO ", " WARNING ",
          " ERROR ", "DEBUG:", "INFO:", "WARNING:", " trace ", " debug ", " info ", " warning ", " error "}) {
        if (line.find(marker) != std::string_view::npos) return true;
    }
    for (std::string_view level : {"trace ", "debug ", "info ", "warning ", "error "})
        if (line.substr(0, level.size()) == level) return true;
    return false;
}

std::string json_array(std::span<const std::uint8_t> values) {
    std::string out = "[";
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (i) out += ',';
        out += std::to_string(values[i]);
    }
    return out + "]";
}

std::string register_json(const RegisterValue& rv) {
    JsonObject o;
    o.number("id", rv.id);
    if (const auto* info = find_register(rv.id)) o.string("key", info->key);
    const Unit unit = unit_from_code(rv.unit_code);
    o.string("unit", unit_symbol(unit));
    o.number("unit_code", rv.unit_code);
    o.raw("value", rv.value.to_string());
    if (unit == Unit::date_yymmdd || unit == Unit::date_yyyymmdd || unit == Unit::date_mmdd) {
        const auto date = format_date_time(rv.value, unit);
        date ? o.string("date", *date) : o.null("date");  // 0 means "not set"
    } else if (unit == Unit::clock_hhmmss) {
        const auto time = format_date_time(rv.value, unit);
        time ? o.string("time", *time) : o.null("time");
    }
    return o.str();
}

std::string registers_json(std::span<const RegisterValue> values) {
    std::string out = "[";
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (i) out += ',';
        out += register_json(values[i]);
    }
    return out + "]";
}

std::string two_digits(unsigned v) {
    char text[8];
    std::snprintf(text, sizeof text, "%02u", v % 100);
    return text;
}

// Adds the command's fields to `o`; returns an error message when the data does not fit the
// command, or an empty string.
std::string describe_command(const Frame& f, JsonObject& o) {
    const bool request = f.direction == Direction::request;
    const auto mismatch = [&] {
        o.string("data", to_hex(f.data));
        return std::string(cid_name(f.cid)) + (request ? " request" : " response") + " data does not fit the command";
    };
    switch (f.cid) {
        case cid_get_type:
            if (request) return f.data.empty() ? "" : mismatch();
            if (const auto t = parse_get_type(f)) {
                o.number("meter_type", t->meter_type);
                o.string("software_revision", t->software_revision);
                return "";
            }
            return mismatch();
        case cid_get_serial:
            if (request) return f.data.empty() ? "" : mismatch();
            if (const auto s = parse_get_serial(f)) {
                o.string("serial", std::to_string(*s));  // a string, as the serial is everywhere else
                return "";
            }
            return mismatch();
        case cid_get_register: {
            if (request) {
                const auto ids = parse_get_register_request(f);
                if (!ids) return mismatch();
                std::string list = "[";
                for (std::size_t i = 0; i < ids->size(); ++i) list += (i ? "," : "") + std::to_string((*ids)[i]);
                o.raw("registers", list + "]");
                return "";
            }
            const auto r = parse_get_register(f);
            o.raw("registers", registers_json(r.values));
            return r.truncated ? "a register block runs past the end of the frame" : "";
        }
        case cid_set_clock:
            if (!request) break;
            if (const auto c = parse_set_clock(f)) {
                o.string("date", std::to_string(c->year) + "-" + two_digits(c->month) + "-" + two_digits(c->day));
                o.string("time", two_digits(c->hour) + ":" + two_digits(c->minute) + ":" + two_digits(c->second));
                return "";
            }
            return mismatch();
        case cid_put_register:
            if (!request) break;
            if (const auto p = parse_put_register(f)) {
                o.number("password", p->password);
                o.raw("register", register_json(p->value));
                return "";
            }
            return mismatch();
        case cid_get_event_status:
        case cid_clear_event_status:
            if (request && f.cid == cid_get_event_status) return f.data.empty() ? "" : mismatch();
            if (request) {
                const auto masks = parse_clear_event_status(f);
                if (!masks) return mismatch();
                o.raw("masks", json_array(*masks));
                return "";
            }
            if (const auto s = parse_event_status(f)) {
                o.raw("event_status", json_array(s->es));
                return "";
            }
            return mismatch();
        case cid_log_time_present:
        case cid_log_last_present:
        case cid_log_id_present:
        case cid_log_time_past:
            if (request) {
                const auto r = parse_log_request(f);
                if (!r) return mismatch();
                o.number("log_id", r->log_id);
                std::string list = "[";
                for (std::size_t i = 0; i < r->registers.size(); ++i)
                    list += (i ? "," : "") + std::to_string(r->registers[i]);
                o.raw("registers", list + "]");
                o.number("records", r->records);
                o.number("max_length", r->max_length);
                if (f.cid == cid_log_time_present || f.cid == cid_log_time_past)
                    o.string("time", "20" + two_digits(r->time.yy) + "-" + two_digits(r->time.mm) + "-" +
                                         two_digits(r->time.dd) + " " + two_digits(r->time.hh) + ":" +
                                         two_digits(r->time.mi) + ":" + two_digits(r->time.ss));
                if (f.cid == cid_log_id_present) o.number("record_id", r->record_id);
                if (f.cid == cid_log_time_past) o.number("record_offset", r->record_id);
                return "";
            } else {
                const auto r = parse_log_response(f);
                if (!r) return mismatch();
                o.number("log_id", r->log_id);
                std::string records = "[";
                for (std::size_t i = 0; i < r->records.size(); ++i) {
                    JsonObject rec;
                    rec.number("record_id", r->records[i].record_id);
                    rec.raw("registers", registers_json(r->records[i].values));
                    records += (i ? "," : "") + rec.str();
                }
                o.raw("records", records + "]");
                o.number("last_read_record", r->last_read_record);
                o.number("newest_record", r->newest_record);
                o.number("info", r->info);
                return "";
            }
        default:
            break;
    }
    if (!f.data.empty()) o.string("data", to_hex(f.data));
    return "";
}

}  // namespace

std::optional<std::vector<std::uint8_t>> parse_hex(std::string_view text) {
    std::vector<std::uint8_t> out;
    std::size_t i = 0;
    while (i < text.size()) {
        const char c = text[i];
        if (c == ' ' || c == '\t' || c == ',' || c == '\r' || c == '\n') {
            ++i;
            continue;
        }
        std::size_t end = i;
        while (end < text.size() && text[end] != ' ' && text[end] != '\t' && text[end] != ',' && text[end] != '\r' &&
               text[end] != '\n')
            ++end;
        std::string_view token = text.substr(i, end - i);
        i = end;
        if (token.size() > 2 && token[0] == '0' && (token[1] == 'x' || token[1] == 'X')) token.remove_prefix(2);
        if (token.size() % 2 != 0) return std::nullopt;
        for (std::size_t k = 0; k < token.size(); k += 2) {
            const int hi = hex_digit(token[k]), lo = hex_digit(token[k + 1]);
            if (hi < 0 || lo < 0) return std::nullopt;
            out.push_back(static_cast<std::uint8_t>(hi << 4 | lo));
        }
    }
    if (out.empty()) return std::nullopt;
    return out;
}

std::string frame_to_json(std::span<const std::uint8_t> wire, const DecodeTextOptions& options, bool& bad) {
    JsonObject o;
    const auto parsed = parse_frame(wire);
    if (!parsed) {
        bad = true;
        o.string("error", "not a KMP frame");
        o.string("frame", to_hex(wire));
        return o.str();
    }
    const Frame& f = parsed->frame;
    o.string("direction", f.direction == Direction::request ? "request" : "response");
    std::string error;
    if (parsed->error == FrameError::none || parsed->error == FrameError::bad_crc) {
        o.number("address", f.address);
        o.string("command", cid_name(f.cid));
        o.number("cid", f.cid);
    }
    o.boolean("crc_ok", parsed->error == FrameError::none);
    switch (parsed->error) {
        case FrameError::none:
            if (options.expected_address && *options.expected_address != f.address)
                error = "address 0x" + to_hex(std::span(&f.address, 1)) + " is not the expected 0x" +
                        to_hex(std::span(&*options.expected_address, 1));
            else
                error = describe_command(f, o);
            break;
        case FrameError::bad_crc: {
            char text[96];
            std::snprintf(text, sizeof text, "CRC mismatch: frame says 0x%04x, contents give 0x%04x; values not used",
                          parsed->crc_received, parsed->crc_computed);
            error = text;
            break;
        }
        case FrameError::too_short:
            error = "frame too short: fewer than address, command and two CRC bytes";
            break;
        case FrameError::truncated_escape:
            error = "truncated frame: escape byte 0x1b right before the stop byte";
            break;
        case FrameError::invalid_escape:
            error = "invalid escape: 0x1b followed by a byte that is not an escaped one";
            break;
    }
    if (!error.empty()) {
        bad = true;
        o.string("error", error);
    }
    o.string("frame", to_hex(wire));
    return o.str();
}

void TextDecoder::emit_error(std::string_view message, std::span<const std::uint8_t> bytes,
                             std::vector<std::string>& out) {
    any_bad_ = true;
    JsonObject o;
    o.string("error", message);
    if (!bytes.empty()) o.string("bytes", to_hex(bytes));
    out.push_back(o.str());
}

void TextDecoder::flush_noise(std::vector<std::string>& out) {
    if (noise_.empty()) return;
    emit_error("bytes outside a frame", noise_, out);
    noise_.clear();
}

void TextDecoder::emit_frame(std::vector<std::string>& out) {
    bool bad = false;
    out.push_back(frame_to_json(frame_, options_, bad));
    any_bad_ = any_bad_ || bad;
    ++frames_;
    frame_.clear();
}

void TextDecoder::feed_bytes(std::span<const std::uint8_t> bytes, bool final, std::vector<std::string>& out) {
    for (std::uint8_t b : bytes) {
        const bool start = b == start_request || b == start_response;
        if (frame_.empty()) {
            if (start) {
                flush_noise(out);
                frame_.push_back(b);
            } else if (b == ack_byte) {
                flush_noise(out);
                out.push_back(JsonObject().string("direction", "ack").string("frame", "06").str());
                ++frames_;
            } else if (b != 0x00) {  // a lone 0x00 is the meter's documented idle byte
                noise_.push_back(b);
            }
            continue;
        }
        if (start) {
            emit_error("truncated frame: a new frame started before the stop byte", frame_, out);
            frame_.assign(1, b);
            continue;
        }
        frame_.push_back(b);
        if (b == stop_byte) emit_frame(out);
    }
    if (final) finish(out);
}

void TextDecoder::finish(std::vector<std::string>& out) {
    if (!frame_.empty()) {
        emit_error("truncated frame: no stop byte", frame_, out);
        frame_.clear();
    }
    flush_noise(out);
}

void TextDecoder::feed_hex_argument(std::string_view hex, std::vector<std::string>& out) {
    finish(out);
    const auto bytes = parse_hex(hex);
    if (!bytes) {
        any_bad_ = true;
        out.push_back(JsonObject().string("error", "not hex").string("input", printable(hex)).str());
        return;
    }
    feed_bytes(*bytes, true, out);
}

void TextDecoder::feed_line(std::string_view line, std::vector<std::string>& out) {
    const std::string_view text = trim(line);
    if (text.empty() || text.front() == '#') return;
    if (const auto pos = text.find("Read:"); pos != std::string_view::npos) {
        // One byte (or a few) of a response: keep collecting across lines.
        const auto bytes = parse_hex(text.substr(pos + 5));
        if (!bytes) {
            finish(out);
            any_bad_ = true;
            out.push_back(
                JsonObject().string("error", "Read: line without hex").string("input", printable(text)).str());
            return;
        }
        feed_bytes(*bytes, false, out);
        return;
    }
    if (const auto pos = text.find("Write:"); pos != std::string_view::npos) {
        feed_hex_argument(text.substr(pos + 6), out);
        return;
    }
    if (parse_hex(text)) {
        feed_hex_argument(text, out);
        return;
    }
    finish(out);
    if (is_log_line_without_bytes(text)) return;
    any_bad_ = true;
    out.push_back(
        JsonObject().string("error", "neither hex nor a Write:/Read: log line").string("input", printable(text)).str());
}

DecodedText decode_text(std::string_view text, const DecodeTextOptions& options) {
    TextDecoder decoder(options);
    DecodedText result;
    while (!text.empty()) {
        const auto nl = text.find('\n');
        decoder.feed_line(text.substr(0, nl), result.lines);
        if (nl == std::string_view::npos) break;
        text.remove_prefix(nl + 1);
    }
    decoder.finish(result.lines);
    result.any_bad = decoder.any_bad();
    return result;
}

}  // namespace kamgw::kmp
