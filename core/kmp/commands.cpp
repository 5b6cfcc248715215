#include "core/kmp/commands.hpp"

#include <stdexcept>

#include "core/kmp/value_codec.hpp"

namespace kamgw::kmp {
namespace {

void put_u16(std::vector<std::uint8_t>& out, std::uint16_t v) {
    out.push_back(static_cast<std::uint8_t>(v >> 8));
    out.push_back(static_cast<std::uint8_t>(v & 0xFF));
}

void put_u32(std::vector<std::uint8_t>& out, std::uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(v >> shift));
}

// Bounds-checked big-endian reader over a frame's data. Every read past the end fails, so a
// short or lying frame can never make a parser read memory it does not own.
class Reader {
public:
    explicit Reader(std::span<const std::uint8_t> data) : data_(data) {}
    [[nodiscard]] std::size_t left() const { return data_.size() - pos_; }
    bool u8(std::uint8_t& v) {
        if (left() < 1) return false;
        v = data_[pos_++];
        return true;
    }
    bool u16(std::uint16_t& v) {
        if (left() < 2) return false;
        v = static_cast<std::uint16_t>((data_[pos_] << 8) | data_[pos_ + 1]);
        pos_ += 2;
        return true;
    }
    bool u32(std::uint32_t& v) {
        if (left() < 4) return false;
        v = 0;
        for (int i = 0; i < 4; ++i) v = (v << 8) | data_[pos_ + static_cast<std::size_t>(i)];
        pos_ += 4;
        return true;
    }
    bool bytes(std::size_t n, std::span<const std::uint8_t>& out) {
        if (left() < n) return false;
        out = data_.subspan(pos_, n);
        pos_ += n;
        return true;
    }

private:
    std::span<const std::uint8_t> data_;
    std::size_t pos_ = 0;
};

Frame make_frame(Direction direction, std::uint8_t address, std::uint8_t cid, std::vector<std::uint8_t> data = {}) {
    Frame f;
    f.direction = direction;
    f.address = address;
    f.cid = cid;
    f.data = std::move(data);
    return f;
}

// The NOB to send: the caller's when the value fits it, otherwise the fewest bytes that do.
std::optional<EncodedValue> encode_for_block(const RegisterValue& rv) {
    if (rv.nob >= 1 && rv.nob <= 8) {
        if (auto enc = encode_value(rv.value, rv.nob)) return enc;
    }
    const auto nob = minimal_nob(rv.value);
    if (!nob) return std::nullopt;
    return encode_value(rv.value, *nob);
}

// The value rescaled to the exponent and sign fixed by `siex`, in `nob` bytes. Log records
// after the first carry no format of their own, so their values must fit the first one's.
std::optional<EncodedValue> encode_in_format(const Decimal& value, std::uint8_t nob, std::uint8_t siex) {
    const bool negative = (siex & 0x80) != 0;
    if (value.mantissa != 0 && value.negative != negative) return std::nullopt;
    const int target = (siex & 0x40) ? -(siex & 0x3F) : (siex & 0x3F);
    Decimal d = value;
    while (d.mantissa != 0 && d.exponent > target) {
        if (d.mantissa > UINT64_MAX / 10) return std::nullopt;
        d.mantissa *= 10;
        --d.exponent;
    }
    while (d.mantissa != 0 && d.exponent < target) {
        if (d.mantissa % 10 != 0) return std::nullopt;
        d.mantissa /= 10;
        ++d.exponent;
    }
    if (nob < 8 && d.mantissa >= (std::uint64_t{1} << (8 * nob))) return std::nullopt;
    EncodedValue out;
    out.siex = siex;
    out.mantissa.resize(nob);
    for (int i = nob - 1; i >= 0; --i, d.mantissa >>= 8)
        out.mantissa[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(d.mantissa & 0xFF);
    return out;
}

// RID UNIT NOB SIEX VALUE (or only VALUE when `with_header` is false, as log records after
// the first carry it; then `rv.nob` and `rv.siex` are the first record's format).
bool append_block(std::vector<std::uint8_t>& out, const RegisterValue& rv, bool with_header) {
    const auto enc = with_header ? encode_for_block(rv) : encode_in_format(rv.value, rv.nob, rv.siex);
    if (!enc) return false;
    if (with_header) {
        put_u16(out, rv.id);
        out.push_back(rv.unit_code);
        out.push_back(static_cast<std::uint8_t>(enc->mantissa.size()));
        out.push_back(enc->siex);
    }
    out.insert(out.end(), enc->mantissa.begin(), enc->mantissa.end());
    return true;
}

bool read_block(Reader& r, RegisterValue& rv) {
    std::span<const std::uint8_t> mantissa;
    if (!r.u16(rv.id) || !r.u8(rv.unit_code) || !r.u8(rv.nob) || !r.u8(rv.siex)) return false;
    if (rv.nob > 8 || !r.bytes(rv.nob, mantissa)) return false;
    rv.value = *decode_value(rv.siex, mantissa);
    return true;
}

bool valid_date(int year, unsigned month, unsigned day) {
    static constexpr unsigned days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12 || day < 1) return false;
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return day <= (month == 2 && leap ? 29u : days[month - 1]);
}

bool valid_clock(const ClockSetting& c) {
    return c.year >= 2000 && c.year <= 2099 && valid_date(c.year, c.month, c.day) && c.hour <= 23 && c.minute <= 59 &&
           c.second <= 59;
}

bool is_log_cid(std::uint8_t cid) { return cid >= cid_log_time_present && cid <= cid_log_time_past; }

void put_log_time(std::vector<std::uint8_t>& out, const LogTime& t) {
    out.insert(out.end(), {t.yy, t.mm, t.dd, t.hh, t.mi, t.ss, 0, 0});  // WK and INFO are sent as 0
}

bool read_log_time(Reader& r, LogTime& t) {
    std::span<const std::uint8_t> b;
    if (!r.bytes(8, b)) return false;
    t = LogTime{b[0], b[1], b[2], b[3], b[4], b[5]};
    return true;
}

}  // namespace

const char* cid_name(std::uint8_t cid) {
    switch (cid) {
        case cid_get_type:
            return "GetType";
        case cid_get_serial:
            return "GetSerialNo";
        case cid_set_clock:
            return "SetClock";
        case cid_get_register:
            return "GetRegister";
        case cid_put_register:
            return "PutRegister";
        case cid_get_event_status:
            return "GetEventStatus";
        case cid_clear_event_status:
            return "ClearEventStatus";
        case cid_log_time_present:
            return "GetLogTimePresent";
        case cid_log_last_present:
            return "GetLogLastPresent";
        case cid_log_id_present:
            return "GetLogIDPresent";
        case cid_log_time_past:
            return "GetLogTimePast";
        default:
            return "Unknown";
    }
}

Frame make_get_type(std::uint8_t address) { return make_frame(Direction::request, address, cid_get_type); }

Frame make_get_serial(std::uint8_t address) { return make_frame(Direction::request, address, cid_get_serial); }

Frame make_get_register(std::span<const std::uint16_t> ids, std::uint8_t address) {
    if (ids.empty() || ids.size() > max_registers_per_request)
        throw std::invalid_argument("GetRegister takes 1 to 8 register ids, got " + std::to_string(ids.size()));
    std::vector<std::uint8_t> data;
    data.reserve(1 + 2 * ids.size());
    data.push_back(static_cast<std::uint8_t>(ids.size()));
    for (auto id : ids) put_u16(data, id);
    return make_frame(Direction::request, address, cid_get_register, std::move(data));
}

std::optional<TypeInfo> parse_get_type(const Frame& response) {
    if (response.cid != cid_get_type || response.data.size() != 4) return std::nullopt;
    TypeInfo info;
    info.meter_type = static_cast<std::uint16_t>((response.data[0] << 8) | response.data[1]);
    const std::uint8_t letter = response.data[2];
    // Letter 0 means the meter has no revision to report; beyond Z there is no letter to show.
    if (letter >= 1 && letter <= 26) {
        info.software_revision.push_back(static_cast<char>('A' + letter - 1));
        info.software_revision += std::to_string(response.data[3]);
    }
    return info;
}

std::optional<std::uint32_t> parse_get_serial(const Frame& response) {
    if (response.cid != cid_get_serial || response.data.size() != 4) return std::nullopt;
    std::uint32_t serial = 0;
    Reader r(response.data);
    r.u32(serial);
    return serial;
}

RegisterResponse parse_get_register(const Frame& response) {
    RegisterResponse out;
    if (response.cid != cid_get_register) {
        out.truncated = true;
        return out;
    }
    Reader r(response.data);
    while (r.left() > 0) {
        RegisterValue rv;
        if (!read_block(r, rv)) {
            out.truncated = true;
            break;
        }
        out.values.push_back(rv);
    }
    return out;
}

std::optional<std::vector<std::uint16_t>> parse_get_register_request(const Frame& request) {
    if (request.cid != cid_get_register || request.data.empty()) return std::nullopt;
    const std::size_t n = request.data[0];
    if (n < 1 || n > max_registers_per_request || request.data.size() != 1 + 2 * n) return std::nullopt;
    std::vector<std::uint16_t> ids(n);
    Reader r(std::span(request.data).subspan(1));
    for (auto& id : ids) r.u16(id);
    return ids;
}

Frame make_get_register_response(std::span<const RegisterValue> values, std::uint8_t address) {
    std::vector<std::uint8_t> data;
    for (const auto& rv : values)
        if (!append_block(data, rv, true))
            throw std::invalid_argument("register " + std::to_string(rv.id) + ": value " + rv.value.to_string() +
                                        " has no KMP encoding");
    return make_frame(Direction::response, address, cid_get_register, std::move(data));
}

Frame make_get_type_response(const TypeInfo& info, std::uint8_t address) {
    std::vector<std::uint8_t> data;
    put_u16(data, info.meter_type);
    std::uint8_t letter = 0, number = 0;
    if (!info.software_revision.empty() && info.software_revision[0] >= 'A' && info.software_revision[0] <= 'Z') {
        letter = static_cast<std::uint8_t>(info.software_revision[0] - 'A' + 1);
        unsigned n = 0;
        for (std::size_t i = 1; i < info.software_revision.size(); ++i) {
            const char c = info.software_revision[i];
            if (c < '0' || c > '9') break;
            n = n * 10 + static_cast<unsigned>(c - '0');
        }
        number = static_cast<std::uint8_t>(n > 255 ? 255 : n);
    }
    data.push_back(letter);
    data.push_back(number);
    return make_frame(Direction::response, address, cid_get_type, std::move(data));
}

Frame make_get_serial_response(std::uint32_t serial, std::uint8_t address) {
    std::vector<std::uint8_t> data;
    put_u32(data, serial);
    return make_frame(Direction::response, address, cid_get_serial, std::move(data));
}

std::optional<Frame> make_set_clock(const ClockSetting& when, std::uint8_t address) {
    if (!valid_clock(when)) return std::nullopt;
    std::vector<std::uint8_t> data;
    put_u32(data,
            static_cast<std::uint32_t>((when.year - 2000) * 10000 + static_cast<int>(when.month * 100 + when.day)));
    put_u32(data, when.hour * 10000 + when.minute * 100 + when.second);
    return make_frame(Direction::request, address, cid_set_clock, std::move(data));
}

std::optional<ClockSetting> parse_set_clock(const Frame& request) {
    if (request.cid != cid_set_clock || request.data.size() != 8) return std::nullopt;
    Reader r(request.data);
    std::uint32_t date = 0, time = 0;
    r.u32(date);
    r.u32(time);
    if (date > 991231 || time > 235959) return std::nullopt;
    ClockSetting c;
    c.year = 2000 + static_cast<int>(date / 10000);
    c.month = date / 100 % 100;
    c.day = date % 100;
    c.hour = time / 10000;
    c.minute = time / 100 % 100;
    c.second = time % 100;
    if (!valid_clock(c)) return std::nullopt;
    return c;
}

std::optional<Frame> make_put_register(const PutRegister& put, std::uint8_t address) {
    std::vector<std::uint8_t> data;
    put_u16(data, put.password);
    if (!append_block(data, put.value, true)) return std::nullopt;
    return make_frame(Direction::request, address, cid_put_register, std::move(data));
}

std::optional<PutRegister> parse_put_register(const Frame& request) {
    if (request.cid != cid_put_register) return std::nullopt;
    Reader r(request.data);
    PutRegister put;
    if (!r.u16(put.password) || !read_block(r, put.value) || r.left() != 0) return std::nullopt;
    return put;
}

Frame make_get_event_status(std::uint8_t address) {
    return make_frame(Direction::request, address, cid_get_event_status);
}

Frame make_clear_event_status(const std::uint8_t masks[8], std::uint8_t address) {
    return make_frame(Direction::request, address, cid_clear_event_status, std::vector<std::uint8_t>(masks, masks + 8));
}

std::optional<EventStatus> parse_event_status(const Frame& response) {
    if ((response.cid != cid_get_event_status && response.cid != cid_clear_event_status) || response.data.size() != 4)
        return std::nullopt;
    EventStatus status;
    for (std::size_t i = 0; i < 4; ++i) status.es[i] = response.data[i];
    return status;
}

std::optional<std::array<std::uint8_t, 8>> parse_clear_event_status(const Frame& request) {
    if (request.cid != cid_clear_event_status || request.data.size() != 8) return std::nullopt;
    std::array<std::uint8_t, 8> masks{};
    for (std::size_t i = 0; i < 8; ++i) masks[i] = request.data[i];
    return masks;
}

Frame make_event_status_response(const EventStatus& status, std::uint8_t address) {
    return make_frame(Direction::response, address, cid_get_event_status,
                      std::vector<std::uint8_t>(status.es, status.es + 4));
}

std::optional<Frame> make_log_request(const LogRequest& request, std::uint8_t address) {
    if (!is_log_cid(request.cid) || request.registers.empty() || request.registers.size() > max_registers_per_request)
        return std::nullopt;
    std::vector<std::uint8_t> data;
    data.push_back(request.log_id);
    data.push_back(static_cast<std::uint8_t>(request.registers.size()));
    for (auto id : request.registers) put_u16(data, id);
    data.push_back(request.records);
    data.push_back(request.max_length);
    if (request.cid == cid_log_time_present || request.cid == cid_log_time_past) put_log_time(data, request.time);
    if (request.cid == cid_log_id_present || request.cid == cid_log_time_past) put_u16(data, request.record_id);
    return make_frame(Direction::request, address, request.cid, std::move(data));
}

std::optional<LogRequest> parse_log_request(const Frame& request) {
    if (!is_log_cid(request.cid)) return std::nullopt;
    Reader r(request.data);
    LogRequest out;
    out.cid = request.cid;
    std::uint8_t n = 0;
    if (!r.u8(out.log_id) || !r.u8(n) || n < 1 || n > max_registers_per_request) return std::nullopt;
    out.registers.resize(n);
    for (auto& id : out.registers)
        if (!r.u16(id)) return std::nullopt;
    if (!r.u8(out.records) || !r.u8(out.max_length)) return std::nullopt;
    if (out.cid == cid_log_time_present || out.cid == cid_log_time_past)
        if (!read_log_time(r, out.time)) return std::nullopt;
    if (out.cid == cid_log_id_present || out.cid == cid_log_time_past)
        if (!r.u16(out.record_id)) return std::nullopt;
    if (r.left() != 0) return std::nullopt;
    return out;
}

std::optional<LogResponse> parse_log_response(const Frame& response, std::size_t registers) {
    if (!is_log_cid(response.cid) || registers > max_registers_per_request) return std::nullopt;
    Reader r(response.data);
    LogResponse out;
    std::uint8_t count = 0;
    if (!r.u8(out.log_id) || !r.u8(count)) return std::nullopt;
    if (count > 0 && registers == 0) return std::nullopt;
    out.records.resize(count);
    for (std::size_t rec = 0; rec < count; ++rec) {
        LogRecord& record = out.records[rec];
        if (!r.u16(record.record_id)) return std::nullopt;
        record.values.resize(registers);
        for (std::size_t i = 0; i < registers; ++i) {
            RegisterValue& rv = record.values[i];
            if (rec == 0) {
                if (!read_block(r, rv)) return std::nullopt;
                continue;
            }
            // Records after the first carry only values, in the first record's formats.
            rv = out.records[0].values[i];
            std::span<const std::uint8_t> mantissa;
            if (!r.bytes(rv.nob, mantissa)) return std::nullopt;
            rv.value = *decode_value(rv.siex, mantissa);
        }
    }
    if (!r.u16(out.last_read_record) || !r.u16(out.newest_record) || !r.u8(out.info) || r.left() != 0)
        return std::nullopt;
    return out;
}

std::optional<LogResponse> parse_log_response(const Frame& response) {
    if (response.data.size() >= 2 && response.data[1] == 0) return parse_log_response(response, 0);
    for (std::size_t n = 1; n <= max_registers_per_request; ++n)
        if (auto parsed = parse_log_response(response, n)) return parsed;
    return std::nullopt;
}

std::optional<Frame> make_log_response(const LogResponse& response, std::uint8_t cid, std::uint8_t address) {
    if (!is_log_cid(cid) || response.records.size() > 255) return std::nullopt;
    std::vector<std::uint8_t> data;
    data.push_back(response.log_id);
    data.push_back(static_cast<std::uint8_t>(response.records.size()));
    std::vector<RegisterValue> formats;
    for (std::size_t rec = 0; rec < response.records.size(); ++rec) {
        const LogRecord& record = response.records[rec];
        put_u16(data, record.record_id);
        if (rec == 0) {
            if (record.values.empty() || record.values.size() > max_registers_per_request) return std::nullopt;
            for (const auto& rv : record.values) {
                const std::size_t before = data.size();
                if (!append_block(data, rv, true)) return std::nullopt;
                RegisterValue format = rv;  // what the block header actually says
                format.nob = data[before + 3];
                format.siex = data[before + 4];
                formats.push_back(format);
            }
            continue;
        }
        if (record.values.size() != formats.size()) return std::nullopt;
        for (std::size_t i = 0; i < formats.size(); ++i) {
            if (record.values[i].id != formats[i].id) return std::nullopt;
            RegisterValue rv = formats[i];
            rv.value = record.values[i].value;
            if (!append_block(data, rv, false)) return std::nullopt;
        }
    }
    put_u16(data, response.last_read_record);
    put_u16(data, response.newest_record);
    data.push_back(response.info);
    return make_frame(Direction::response, address, cid, std::move(data));
}

}  // namespace kamgw::kmp
