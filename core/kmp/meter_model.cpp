#include "core/kmp/meter_model.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>

#include "core/kmp/crc.hpp"
#include "core/kmp/value_codec.hpp"

namespace kamgw::kmp {
namespace {

using namespace std::chrono_literals;

// Unit codes used below (KMP unit table).
constexpr std::uint8_t u_wh = 1, u_mwh = 3, u_gj = 8, u_kw = 22, u_celsius = 37, u_kelvin = 38, u_m3 = 40, u_lh = 41,
                       u_m3c = 43, u_hour = 46, u_clock = 47, u_date = 48, u_number = 51;

struct RegisterSpec {
    std::uint16_t id;
    std::uint8_t unit;
    std::uint8_t nob;
    std::int8_t exponent;
};

// MULTICAL 403: 2-byte temperatures, flow and power; 4 bytes for energy, volume, dates and counters.
constexpr RegisterSpec multical403_registers[] = {
    {60, u_mwh, 4, -3},      {63, u_mwh, 4, -3},      {266, u_wh, 4, 0},       {68, u_m3, 4, -2},
    {74, u_lh, 2, 0},        {80, u_kw, 2, -1},       {86, u_celsius, 2, -2},  {87, u_celsius, 2, -2},
    {89, u_kelvin, 2, -2},   {97, u_m3c, 4, 0},       {110, u_m3c, 4, 0},      {98, u_date, 4, 0},
    {99, u_number, 2, 0},    {113, u_number, 4, 0},   {123, u_date, 4, 0},     {124, u_lh, 2, 0},
    {125, u_date, 4, 0},     {126, u_lh, 2, 0},       {127, u_date, 4, 0},     {128, u_kw, 2, -1},
    {129, u_date, 4, 0},     {130, u_kw, 2, -1},      {138, u_date, 4, 0},     {139, u_lh, 2, 0},
    {140, u_date, 4, 0},     {141, u_lh, 2, 0},       {142, u_date, 4, 0},     {143, u_kw, 2, -1},
    {144, u_date, 4, 0},     {145, u_kw, 2, -1},      {146, u_celsius, 2, -2}, {147, u_celsius, 2, -2},
    {149, u_celsius, 2, -2}, {150, u_celsius, 2, -2}, {153, u_number, 4, 0},   {175, u_hour, 4, 0},
    {1001, u_number, 4, 0},  {1002, u_clock, 4, 0},   {1003, u_date, 4, 0},    {1004, u_hour, 4, 0},
};

// MULTICAL 603: every value in 4 bytes (as the MULTICAL 601/801 document says), energy in GJ,
// and a third temperature input.
constexpr RegisterSpec multical603_registers[] = {
    {60, u_gj, 4, -2},       {63, u_gj, 4, -2},       {266, u_wh, 4, 0},       {68, u_m3, 4, -2},
    {74, u_lh, 4, 0},        {80, u_kw, 4, -1},       {86, u_celsius, 4, -2},  {87, u_celsius, 4, -2},
    {88, u_celsius, 4, -2},  {89, u_kelvin, 4, -2},   {97, u_m3c, 4, 0},       {110, u_m3c, 4, 0},
    {98, u_date, 4, 0},      {99, u_number, 4, 0},    {113, u_number, 4, 0},   {123, u_date, 4, 0},
    {124, u_lh, 4, 0},       {125, u_date, 4, 0},     {126, u_lh, 4, 0},       {127, u_date, 4, 0},
    {128, u_kw, 4, -1},      {129, u_date, 4, 0},     {130, u_kw, 4, -1},      {138, u_date, 4, 0},
    {139, u_lh, 4, 0},       {140, u_date, 4, 0},     {141, u_lh, 4, 0},       {142, u_date, 4, 0},
    {143, u_kw, 4, -1},      {144, u_date, 4, 0},     {145, u_kw, 4, -1},      {146, u_celsius, 4, -2},
    {147, u_celsius, 4, -2}, {149, u_celsius, 4, -2}, {150, u_celsius, 4, -2}, {153, u_number, 4, 0},
    {175, u_hour, 4, 0},     {1001, u_number, 4, 0},  {1002, u_clock, 4, 0},   {1003, u_date, 4, 0},
    {1004, u_hour, 4, 0},
};

// flowIQ-like water meter: volume with litre resolution, flow and water temperature.
constexpr RegisterSpec flowiq_registers[] = {
    {68, u_m3, 4, -3},    {74, u_lh, 2, 0},     {86, u_celsius, 2, -2}, {99, u_number, 2, 0},   {113, u_number, 4, 0},
    {123, u_date, 4, 0},  {124, u_lh, 2, 0},    {125, u_date, 4, 0},    {126, u_lh, 2, 0},      {138, u_date, 4, 0},
    {139, u_lh, 2, 0},    {140, u_date, 4, 0},  {141, u_lh, 2, 0},      {1001, u_number, 4, 0}, {1002, u_clock, 4, 0},
    {1003, u_date, 4, 0}, {1004, u_hour, 4, 0},
};

std::span<const RegisterSpec> registers_of(ModelKind kind) {
    switch (kind) {
        case ModelKind::multical403:
            return multical403_registers;
        case ModelKind::multical603:
            return multical603_registers;
        case ModelKind::flowiq:
            return flowiq_registers;
    }
    return multical403_registers;
}

std::chrono::year_month_day date_of(TimePoint t) {
    return std::chrono::year_month_day{std::chrono::floor<std::chrono::days>(t)};
}

std::uint32_t yymmdd(TimePoint t) {
    const auto ymd = date_of(t);
    return static_cast<std::uint32_t>((static_cast<int>(ymd.year()) % 100) * 10000 +
                                      static_cast<int>(static_cast<unsigned>(ymd.month())) * 100 +
                                      static_cast<int>(static_cast<unsigned>(ymd.day())));
}

std::uint32_t hhmmss(TimePoint t) {
    const auto since_midnight = t - std::chrono::floor<std::chrono::days>(t);
    const auto secs = std::chrono::duration_cast<std::chrono::seconds>(since_midnight).count();
    return static_cast<std::uint32_t>((secs / 3600) * 10000 + ((secs / 60) % 60) * 100 + secs % 60);
}

double hour_of_day(TimePoint t) {
    const auto since_midnight = t - std::chrono::floor<std::chrono::days>(t);
    return std::chrono::duration<double, std::ratio<3600>>(since_midnight).count();
}

std::vector<std::uint8_t> frame_bytes(std::span<const std::uint8_t> body_with_crc) {
    std::vector<std::uint8_t> out;
    out.reserve(body_with_crc.size() * 2 + 2);
    out.push_back(start_response);
    stuff_into(body_with_crc, out);
    out.push_back(stop_byte);
    return out;
}

}  // namespace

std::optional<ModelKind> model_kind_from_name(std::string_view name) {
    std::string n;
    for (char c : name)
        if (c != ' ' && c != '-' && c != '_')
            n.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    if (n == "multical403" || n == "mc403" || n == "403") return ModelKind::multical403;
    if (n == "multical603" || n == "mc603" || n == "603") return ModelKind::multical603;
    if (n == "flowiq" || n == "water") return ModelKind::flowiq;
    return std::nullopt;
}

std::string_view model_kind_name(ModelKind kind) {
    switch (kind) {
        case ModelKind::multical403:
            return "multical403";
        case ModelKind::multical603:
            return "multical603";
        case ModelKind::flowiq:
            return "flowiq";
    }
    return "multical403";
}

std::string_view model_display_name(ModelKind kind) {
    switch (kind) {
        case ModelKind::multical403:
            return "MULTICAL 403";
        case ModelKind::multical603:
            return "MULTICAL 603";
        case ModelKind::flowiq:
            return "flowIQ";
    }
    return "MULTICAL 403";
}

std::chrono::nanoseconds wire_time(std::size_t bytes, unsigned baud, unsigned bits_per_byte) {
    if (baud == 0) return std::chrono::nanoseconds(0);
    const auto bits = static_cast<std::uint64_t>(bytes) * bits_per_byte;
    return std::chrono::nanoseconds(bits * 1'000'000'000ull / baud);
}

std::vector<std::vector<std::uint8_t>> RequestSplitter::feed(std::span<const std::uint8_t> bytes) {
    std::vector<std::vector<std::uint8_t>> frames;
    for (std::uint8_t b : bytes) {
        if (b == start_request) {
            current_.assign(1, b);  // a new start byte restarts the frame, as the meter does
            in_frame_ = true;
            continue;
        }
        if (!in_frame_) continue;
        current_.push_back(b);
        if (b == stop_byte) {
            frames.push_back(std::move(current_));
            current_.clear();
            in_frame_ = false;
        }
    }
    return frames;
}

std::vector<std::uint8_t> MeterModel::Reply::wire() const {
    std::vector<std::uint8_t> out = echo;
    out.insert(out.end(), answer.begin(), answer.end());
    return out;
}

MeterModel::MeterModel(ModelKind kind, std::uint32_t serial, Faults faults, std::uint64_t seed, TimePoint start)
    // The serial is mixed into the seed so two meters with the same seed still differ.
    : kind_(kind),
      serial_(serial),
      faults_(std::move(faults)),
      rng_(seed * 0x9E3779B97F4A7C15ull ^ serial),
      sim_time_(start) {
    // A meter that has been in service for a few years; the seed makes each meter different.
    std::uniform_real_distribution<double> spread(0.0, 1.0);
    hours_ = 15000 + std::floor(spread(rng_) * 20000);
    error_hours_ = std::floor(spread(rng_) * 30);
    energy_mwh_ = hours_ * (kind == ModelKind::multical603 ? 0.012 : 0.0028) * (0.8 + 0.4 * spread(rng_));
    cooling_mwh_ = kind == ModelKind::flowiq ? 0 : energy_mwh_ * 0.004;
    volume_m3_ = kind == ModelKind::flowiq ? hours_ * 0.012 : energy_mwh_ * (20 + 5 * spread(rng_));
    e8_ = volume_m3_ * 62;
    e9_ = volume_m3_ * 41;
    info_counter_ = static_cast<std::uint32_t>(spread(rng_) * 12);
    t1_bias_ = (spread(rng_) - 0.5) * 4;
    step(0, start);
}

std::vector<std::uint16_t> MeterModel::register_ids() const {
    std::vector<std::uint16_t> ids;
    for (const auto& r : registers_of(kind_)) ids.push_back(r.id);
    return ids;
}

std::optional<MeterModel::Format> MeterModel::format_of(std::uint16_t id) const {
    for (const auto& r : registers_of(kind_))
        if (r.id == id) return Format{r.unit, r.nob, r.exponent};
    return std::nullopt;
}

void MeterModel::advance(TimePoint now) {
    if (now <= sim_time_) return;
    const double hours = std::chrono::duration<double, std::ratio<3600>>(now - sim_time_).count();
    // One-minute steps keep the integrals smooth; a long gap (days between polls) is
    // covered in at most 10000 larger steps.
    const auto steps = static_cast<std::int64_t>(std::clamp(std::ceil(hours * 60), 1.0, 10000.0));
    const double dt = hours / static_cast<double>(steps);
    for (std::int64_t i = 1; i <= steps; ++i) {
        const auto at = sim_time_ + std::chrono::duration_cast<Clock::duration>(
                                        std::chrono::duration<double, std::ratio<3600>>(dt * static_cast<double>(i)));
        step(dt, at);
    }
    sim_time_ = now;
}

void MeterModel::step(double hours, TimePoint at) {
    std::normal_distribution<double> wobble(0.0, 1.0);
    const double h = hour_of_day(at);
    // Heating demand peaks in the early morning and dips in the afternoon; it wanders a
    // little so consecutive readings differ.
    heat_demand_ = std::clamp(heat_demand_ + wobble(rng_) * 0.02 * std::sqrt(std::max(hours, 1e-6) * 60), 0.5, 1.5);
    const double daily = 0.55 + 0.45 * std::cos(2 * std::numbers::pi * (h - 6) / 24);
    t1_bias_ = std::clamp(t1_bias_ + wobble(rng_) * 0.05, -3.0, 3.0);

    if (kind_ == ModelKind::flowiq) {
        // Water: use in the morning and evening, almost none at night.
        const double use = std::max(0.0, std::sin(2 * std::numbers::pi * (h - 5) / 24)) * 2 * heat_demand_;
        flow_lh_ = std::max(0.0, 40 + 260 * use + wobble(rng_) * 15);
        t1_ = 11 + 3 * std::sin(2 * std::numbers::pi * (h - 14) / 24) + t1_bias_ * 0.3;
        power_kw_ = 0;
        t2_ = t1_;
    } else {
        const double peak_kw = kind_ == ModelKind::multical603 ? 40.0 : 8.0;
        power_kw_ = std::max(0.2, peak_kw * daily * heat_demand_ * (1 + wobble(rng_) * 0.03));
        t1_ = 58 + 10 * daily * heat_demand_ + t1_bias_;
        const double dt_k = std::clamp(12 + 14 * daily * heat_demand_ + wobble(rng_) * 0.3, 5.0, 40.0);
        t2_ = t1_ - dt_k;
        flow_lh_ = power_kw_ * 1000.0 / (1.163 * dt_k);  // water carries 1.163 Wh per litre and kelvin
    }

    const double dv = flow_lh_ * hours / 1000.0;
    volume_m3_ += dv;
    energy_mwh_ += power_kw_ * hours / 1000.0;
    cooling_mwh_ += power_kw_ * hours / 1000.0 * 0.0005;
    e8_ += dv * t1_;
    e9_ += dv * t2_;
    hours_ += hours;

    const auto ymd = date_of(at);
    const int mkey = static_cast<int>(ymd.year()) * 12 + static_cast<int>(static_cast<unsigned>(ymd.month()));
    if (mkey != month_key_) month_ = {}, month_key_ = mkey;
    if (static_cast<int>(ymd.year()) != year_key_) year_ = {}, year_key_ = static_cast<int>(ymd.year());
    const std::uint32_t today = yymmdd(at);
    for (Extremes* e : {&month_, &year_}) {
        if (flow_lh_ > e->max_flow) e->max_flow = flow_lh_, e->max_flow_date = today;
        if (flow_lh_ < e->min_flow) e->min_flow = flow_lh_, e->min_flow_date = today;
        if (power_kw_ > e->max_power) e->max_power = power_kw_, e->max_power_date = today;
        if (power_kw_ < e->min_power) e->min_power = power_kw_, e->min_power_date = today;
        e->t1_sum += t1_ * hours;
        e->t2_sum += t2_ * hours;
        e->hours += hours;
    }
}

std::optional<double> MeterModel::raw_value(std::uint16_t id, TimePoint now) const {
    const TimePoint meter_clock = now + clock_offset_;
    const double mwh_or_gj = kind_ == ModelKind::multical603 ? energy_mwh_ * 3.6 : energy_mwh_;
    const double cooling = kind_ == ModelKind::multical603 ? cooling_mwh_ * 3.6 : cooling_mwh_;
    auto avg = [](double sum, double hours, double fallback) { return hours > 0 ? sum / hours : fallback; };
    switch (id) {
        case 60:
            return mwh_or_gj;
        case 63:
            return cooling;
        case 266:
            return energy_mwh_ * 1e6;
        case 68:
            return volume_m3_;
        case 74:
            return flow_lh_;
        case 80:
            return power_kw_;
        case 86:
            return t1_;
        case 87:
            return t2_;
        case 88:
            return 18 + t1_bias_;  // T3: a room / outdoor sensor
        case 89:
            return t1_ - t2_;
        case 97:
            return e8_;
        case 110:
            return e9_;
        case 98: {
            const auto ymd = date_of(meter_clock);
            return (static_cast<int>(ymd.year()) % 100) * 10000.0 + 601;  // yearly target date June 1st
        }
        case 99:
            return info_;
        case 113:
            return info_counter_;
        case 123:
            return year_.max_flow_date;
        case 124:
            return year_.max_flow;
        case 125:
            return year_.min_flow_date;
        case 126:
            return year_.min_flow;
        case 127:
            return year_.max_power_date;
        case 128:
            return year_.max_power;
        case 129:
            return year_.min_power_date;
        case 130:
            return year_.min_power;
        case 138:
            return month_.max_flow_date;
        case 139:
            return month_.max_flow;
        case 140:
            return month_.min_flow_date;
        case 141:
            return month_.min_flow;
        case 142:
            return month_.max_power_date;
        case 143:
            return month_.max_power;
        case 144:
            return month_.min_power_date;
        case 145:
            return month_.min_power;
        case 146:
            return avg(year_.t1_sum, year_.hours, t1_);
        case 147:
            return avg(year_.t2_sum, year_.hours, t2_);
        case 149:
            return avg(month_.t1_sum, month_.hours, t1_);
        case 150:
            return avg(month_.t2_sum, month_.hours, t2_);
        case 153:
            return 40301270;  // configuration number
        case 175:
            return std::floor(error_hours_);
        case 1001:
            return serial_;
        case 1002:
            return hhmmss(meter_clock);
        case 1003:
            return yymmdd(meter_clock);
        case 1004:
            return std::floor(hours_);
        default:
            return std::nullopt;
    }
}

std::optional<RegisterValue> MeterModel::register_value(std::uint16_t id, TimePoint now) {
    advance(now);
    const auto format = format_of(id);
    const auto raw = raw_value(id, now);
    if (!format || !raw) return std::nullopt;
    Decimal d;
    d.exponent = format->exponent;
    d.negative = *raw < 0;
    const double scaled = std::fabs(*raw) / std::pow(10.0, format->exponent);
    // A value too large for its bytes saturates, as a meter display would.
    const double max_mantissa = std::pow(256.0, format->nob) - 1;
    d.mantissa = static_cast<std::uint64_t>(std::min(std::llround(scaled) * 1.0, max_mantissa));
    const auto encoded = encode_value(d, format->nob);
    RegisterValue v;
    v.id = id;
    v.unit_code = format->unit;
    v.nob = format->nob;
    v.siex = encoded ? encoded->siex : 0;
    v.value = d;
    return v;
}

std::vector<std::uint8_t> MeterModel::encode_answer(const Frame& frame) {
    const bool corrupt = faults_.corrupt || faults_.corrupt_answers > 0;
    if (!corrupt) return encode_frame(frame);
    if (faults_.corrupt_answers > 0) --faults_.corrupt_answers;
    // Compute the CRC over the true bytes, then flip one data bit: the frame stays well
    // formed (stuffing intact) but fails its CRC, like a bit lost on the optical link.
    std::vector<std::uint8_t> body{frame.address, frame.cid};
    body.insert(body.end(), frame.data.begin(), frame.data.end());
    const std::uint16_t crc = crc16_xmodem(body);
    std::uniform_int_distribution<std::size_t> pick(2, std::max<std::size_t>(2, body.size() - 1));
    if (body.size() > 2)
        body[pick(rng_)] ^= 0x01;
    else
        body[1] ^= 0x01;
    body.push_back(static_cast<std::uint8_t>(crc >> 8));
    body.push_back(static_cast<std::uint8_t>(crc & 0xFF));
    return frame_bytes(body);
}

std::vector<std::uint8_t> MeterModel::noise_bytes() {
    std::vector<std::uint8_t> out{0x00};
    std::uniform_int_distribution<int> count(1, 4), value(0, 255);
    for (int i = count(rng_); i > 0; --i) {
        auto b = static_cast<std::uint8_t>(value(rng_));
        // Noise never contains a start or stop byte here: those would make it part of a frame.
        if (b == start_response || b == start_request || b == stop_byte || b == escape_byte || b == ack_byte) b = 0x55;
        out.push_back(b);
    }
    return out;
}

std::vector<std::uint8_t> MeterModel::not_kmp_text() {
    // An IEC 1107 identification line as 7E1 characters look on an 8N2 line: bit 7 carries the parity.
    static const std::string text = "/KAM5MC66CDK\r\n";
    std::vector<std::uint8_t> out;
    for (char c : text) {
        auto b = static_cast<std::uint8_t>(c);
        const bool odd = __builtin_popcount(b) % 2 != 0;
        out.push_back(static_cast<std::uint8_t>(odd ? (b | 0x80) : b));
    }
    return out;
}

std::vector<std::uint8_t> MeterModel::answer_for(const Frame& request, TimePoint now) {
    Frame reply;
    reply.direction = Direction::response;
    reply.address = request.address;
    switch (request.cid) {
        case cid_get_type: {
            const std::uint16_t type = kind_ == ModelKind::multical403   ? sim_type_multical403
                                       : kind_ == ModelKind::multical603 ? sim_type_multical603
                                                                         : sim_type_flowiq;
            return encode_answer(make_get_type_response(TypeInfo{type, "K1"}, request.address));
        }
        case cid_get_serial:
            return encode_answer(make_get_serial_response(serial_, request.address));
        case cid_get_register: {
            const auto ids = parse_get_register_request(request);
            if (!ids || ids->empty() || ids->size() > max_registers_per_request) return {};
            std::vector<RegisterValue> values;
            for (auto id : *ids) {
                if (std::find(faults_.omitted.begin(), faults_.omitted.end(), id) != faults_.omitted.end()) continue;
                if (auto v = register_value(id, now)) values.push_back(*v);
            }
            return encode_answer(make_get_register_response(values, request.address));
        }
        case cid_set_clock: {
            const auto when = parse_set_clock(request);
            if (!when) return {};
            using namespace std::chrono;
            const sys_days day = year_month_day{year{when->year}, month{when->month}, std::chrono::day{when->day}};
            const TimePoint wanted = day + hours(when->hour) + minutes(when->minute) + seconds(when->second);
            clock_offset_ = duration_cast<seconds>(wanted - now);
            return {ack_byte};
        }
        default:
            return {};  // a meter does not answer commands it does not know
    }
}

MeterModel::Reply MeterModel::respond(std::span<const std::uint8_t> request_bytes, TimePoint now) {
    Reply reply;
    ++stats_.requests;
    advance(now);
    if (faults_.echo) reply.echo.assign(request_bytes.begin(), request_bytes.end());
    reply.delay = faults_.answer_delay;

    // The optical port: awake since the first request, asleep after sleep_after, awake
    // again once a long enough pause has passed.
    if (asleep_ && last_request_ && now - *last_request_ >= faults_.wake_after_quiet) {
        asleep_ = false;
        awake_since_.reset();
    }
    last_request_ = now;
    if (!awake_since_) awake_since_ = now;
    if (faults_.sleep_after.count() > 0 && now - *awake_since_ >= faults_.sleep_after) asleep_ = true;

    if (asleep_ || faults_.silent) {
        ++stats_.ignored;
        return reply;
    }
    if (faults_.silent_answers > 0) {
        --faults_.silent_answers;
        ++stats_.ignored;
        return reply;
    }
    if (faults_.not_kmp) {
        reply.answer = not_kmp_text();
        ++stats_.answered;
        return reply;
    }
    const auto parsed = parse_frame(request_bytes);
    if (!parsed || parsed->error != FrameError::none || parsed->frame.direction != Direction::request ||
        parsed->frame.address != address_meter) {
        ++stats_.ignored;
        return reply;
    }
    auto answer = answer_for(parsed->frame, now);
    if (answer.empty()) {
        ++stats_.ignored;
        return reply;
    }
    if (faults_.noise) {
        auto noise = noise_bytes();
        answer.insert(answer.begin(), noise.begin(), noise.end());
    }
    reply.answer = std::move(answer);
    ++stats_.answered;
    return reply;
}

std::vector<std::uint8_t> MeterModel::handle(std::span<const std::uint8_t> request_bytes, TimePoint now) {
    return respond(request_bytes, now).wire();
}

}  // namespace kamgw::kmp
