#include <algorithm>
#include <charconv>
#include <cstdint>

#include "core/app/metrics_server.hpp"
#include "core/app/reading_metrics.hpp"

namespace kamgw::app {
namespace {

// value in base units = value × factor × 10^exponent ÷ divisor
struct BaseUnit {
    std::string_view unit;  // Prometheus base unit, "" for a plain number
    std::uint64_t factor = 1;
    std::int32_t exponent = 0;
    std::uint64_t divisor = 1;  // per hour -> per second
};

std::optional<BaseUnit> base_unit(Unit u) {
    switch (u) {
        case Unit::Wh:
            return BaseUnit{"joules", 36, 2};
        case Unit::kWh:
            return BaseUnit{"joules", 36, 5};
        case Unit::MWh:
            return BaseUnit{"joules", 36, 8};
        case Unit::GWh:
            return BaseUnit{"joules", 36, 11};
        case Unit::J:
            return BaseUnit{"joules", 1, 0};
        case Unit::kJ:
            return BaseUnit{"joules", 1, 3};
        case Unit::MJ:
            return BaseUnit{"joules", 1, 6};
        case Unit::GJ:
            return BaseUnit{"joules", 1, 9};
        case Unit::GJ_x10:
            return BaseUnit{"joules", 1, 10};
        case Unit::cal:  // the international table calorie of district heating: 4.1868 J
            return BaseUnit{"joules", 41868, -4};
        case Unit::kcal:
            return BaseUnit{"joules", 41868, -1};
        case Unit::Mcal:
            return BaseUnit{"joules", 41868, 2};
        case Unit::Gcal:
            return BaseUnit{"joules", 41868, 5};
        case Unit::kW:
        case Unit::kW_21:
            return BaseUnit{"watts", 1, 3};
        case Unit::MW:
            return BaseUnit{"watts", 1, 6};
        case Unit::GW:
            return BaseUnit{"watts", 1, 9};
        case Unit::V:
            return BaseUnit{"volts", 1, 0};
        case Unit::kV:
            return BaseUnit{"volts", 1, 3};
        case Unit::A:
            return BaseUnit{"amperes", 1, 0};
        case Unit::kA:
            return BaseUnit{"amperes", 1, 3};
        case Unit::celsius:
        case Unit::kelvin:  // Kamstrup meters use K for temperature differences only: the same number in °C
            return BaseUnit{"celsius", 1, 0};
        case Unit::litre:
            return BaseUnit{"cubic_meters", 1, -3};
        case Unit::cubic_metre:
            return BaseUnit{"cubic_meters", 1, 0};
        case Unit::cubic_metre_x10:
            return BaseUnit{"cubic_meters", 1, 1};
        case Unit::litre_per_hour:
            return BaseUnit{"cubic_meters_per_second", 1, -3, 3600};
        case Unit::cubic_metre_per_hour:
            return BaseUnit{"cubic_meters_per_second", 1, 0, 3600};
        case Unit::ton:
            return BaseUnit{"grams", 1, 6};
        case Unit::ton_x10:
            return BaseUnit{"grams", 1, 7};
        case Unit::ton_per_hour:
            return BaseUnit{"grams_per_second", 1, 6, 3600};
        case Unit::bar:
            return BaseUnit{"pascals", 1, 5};
        case Unit::hour:
            return BaseUnit{"seconds", 36, 2};
        case Unit::minute:
            return BaseUnit{"seconds", 6, 1};
        case Unit::second:
            return BaseUnit{"seconds", 1, 0};
        case Unit::millisecond:
            return BaseUnit{"seconds", 1, -3};
        case Unit::day:
            return BaseUnit{"seconds", 864, 2};
        case Unit::none:
        case Unit::number:
        case Unit::bitfield:
            return BaseUnit{"", 1, 0};
        default:  // dates, clock times, text, reactive and apparent energy: nothing to graph
            return std::nullopt;
    }
}

std::string shortest(double value) {
    char buf[32];
    const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
    return ec == std::errc{} ? std::string(buf, end) : std::string("NaN");
}

// The exact decimal when the factor fits, the nearest double when it has to divide.
std::string scaled(const Decimal& value, const BaseUnit& b) {
    Decimal out = value;
    // The compiler's checked multiply: 32-bit targets (armhf) have no 128-bit integer.
    std::uint64_t product = 0;
    if (b.divisor != 1 || __builtin_mul_overflow(value.mantissa, b.factor, &product)) {
        Decimal factor{b.factor, b.exponent, false};
        return shortest(value.to_double() * factor.to_double() / static_cast<double>(b.divisor));
    }
    out.mantissa = product;
    out.exponent += b.exponent;
    return out.normalized().to_string();
}

}  // namespace

void LatestReadings::record(const ReadingBatch& batch, std::chrono::seconds interval) {
    std::lock_guard lock(mutex_);
    MeterReadings& m = by_meter_[batch.meter.name];
    m.meter = batch.meter;
    m.interval = interval;
    for (const Reading& r : batch.readings)
        if (r.quality != Quality::error) m.latest[r.key] = r;
}

std::vector<MeterReadings> LatestReadings::snapshot() const {
    std::lock_guard lock(mutex_);
    std::vector<MeterReadings> out;
    for (const auto& [name, m] : by_meter_) out.push_back(m);
    return out;
}

void LatestReadings::keep_only(const std::vector<std::string>& meter_names) {
    std::lock_guard lock(mutex_);
    std::erase_if(by_meter_, [&](const auto& entry) {
        return std::find(meter_names.begin(), meter_names.end(), entry.first) == meter_names.end();
    });
}

std::optional<PrometheusSample> prometheus_sample(const Reading& r) {
    if (r.quantity == Quantity::identifier) return std::nullopt;  // a serial number is a label, not a value
    const auto base = base_unit(r.unit);
    if (!base) return std::nullopt;
    PrometheusSample s;
    s.family = "kamgw_reading_" + r.key + (base->unit.empty() ? "" : "_" + std::string(base->unit));
    s.unit = std::string(base->unit);
    s.value = scaled(r.value, *base);
    s.counter = r.ha.state_class == HaStateClass::total_increasing && !r.value.negative;
    return s;
}

void render_reading_metrics(std::ostringstream& out, const std::vector<MeterReadings>& meters, TimePoint now) {
    struct Family {
        std::string unit, help;
        bool counter = false;
        std::vector<std::string> samples;
    };
    std::map<std::string, Family> families;
    for (const MeterReadings& m : meters) {
        const std::string labels = "{meter=\"" + openmetrics_label(m.meter.name) + "\",serial=\"" +
                                   openmetrics_label(m.meter.serial) + "\",model=\"" +
                                   openmetrics_label(m.meter.model) + "\"}";
        for (const auto& [key, r] : m.latest) {
            const auto s = prometheus_sample(r);
            if (!s) continue;
            Family& f = families[s->family];
            f.unit = s->unit;
            f.help = r.name;
            f.counter = f.counter || s->counter;
            std::string line = labels + " " + s->value;
            if (now - r.time > 2 * m.interval)
                line +=
                    " " + std::to_string(std::chrono::floor<std::chrono::seconds>(r.time).time_since_epoch().count());
            f.samples.push_back(std::move(line));
        }
    }
    for (const auto& [name, f] : families) {
        out << "# TYPE " << name << (f.counter ? " counter" : " gauge") << '\n';
        if (!f.unit.empty()) out << "# UNIT " << name << ' ' << f.unit << '\n';
        out << "# HELP " << name << ' ' << openmetrics_label(f.help) << '\n';
        for (const std::string& line : f.samples) out << name << (f.counter ? "_total" : "") << line << '\n';
    }
}

}  // namespace kamgw::app
