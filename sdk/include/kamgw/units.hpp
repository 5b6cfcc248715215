// Units and quantities of meter registers.
//
// Unit values are the KMP unit codes, so a code from the wire casts straight to a Unit.
// The symbols are the strings the established Home Assistant integration shows, so users
// who move to kamgw keep their units; Home Assistant's own spelling is in home_assistant.hpp.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace kamgw {

enum class Unit : std::uint8_t {
    none = 0,
    Wh = 1,
    kWh = 2,
    MWh = 3,
    GWh = 4,
    J = 5,
    kJ = 6,
    MJ = 7,
    GJ = 8,
    cal = 9,
    kcal = 10,
    Mcal = 11,
    Gcal = 12,
    varh = 13,
    kvarh = 14,
    Mvarh = 15,
    Gvarh = 16,
    VAh = 17,
    kVAh = 18,
    MVAh = 19,
    GVAh = 20,
    kW_21 = 21,
    kW = 22,
    MW = 23,
    GW = 24,
    kvar_25 = 25,
    kvar = 26,
    Mvar = 27,
    Gvar = 28,
    VA = 29,
    kVA = 30,
    MVA = 31,
    GVA = 32,
    V = 33,
    A = 34,
    kV = 35,
    kA = 36,
    celsius = 37,
    kelvin = 38,
    litre = 39,
    cubic_metre = 40,
    litre_per_hour = 41,
    cubic_metre_per_hour = 42,
    cubic_metre_celsius = 43,
    ton = 44,
    ton_per_hour = 45,
    hour = 46,
    clock_hhmmss = 47,
    date_yymmdd = 48,
    date_yyyymmdd = 49,
    date_mmdd = 50,
    number = 51,
    bar = 52,
    rtc = 53,
    ascii = 54,
    cubic_metre_x10 = 55,
    ton_x10 = 56,
    GJ_x10 = 57,
    minute = 58,
    bitfield = 59,
    second = 60,
    millisecond = 61,
    day = 62,
    rtc_q = 63,
    datetime = 64,
    unknown = 255,  // a code kamgw has no name for; the code itself is kept in Reading::unit_code
};

// What a register measures. Sinks pick device classes, Influx field types and CSV
// formatting from this rather than from register ids.
enum class Quantity : std::uint8_t {
    other,
    energy,
    volume,
    mass,
    power,
    flow,
    mass_flow,
    temperature,
    temperature_difference,
    pressure,
    duration,
    date,
    time_of_day,
    count,
    bit_field,
    identifier,          // serial numbers, customer numbers, program numbers
    volume_temperature,  // m³·°C integrals (E8/E9)
};

namespace detail {
inline constexpr std::array<std::string_view, 65> unit_symbols = {
    "",      "Wh",   "kWh",  "MWh",   "GWh",      "J",       "kj",       "MJ",       "GJ",       "Cal",
    "kCal",  "Mcal", "Gcal", "varh",  "kvarh",    "Mvarh",   "Gvarh",    "VAh",      "kVAh",     "MVAh",
    "GVAh",  "kW",   "kW",   "MW",    "GW",       "kvar",    "kvar",     "Mvar",     "Gvar",     "VA",
    "kVA",   "MVA",  "GVA",  "V",     "A",        "kV",      "kA",       "°C",       "K",        "l",
    "m³",    "l/h",  "m³/h", "m³xC",  "ton",      "ton/h",   "h",        "hh:mm:ss", "yy:mm:dd", "yyyy:mm:dd",
    "mm:dd", "",     "bar",  "RTC",   "ASCII",    "m³ x 10", "ton x 10", "GJ x 10",  "minutes",  "Bitfield",
    "s",     "ms",   "days", "RTC-Q", "Datetime",
};
}  // namespace detail

// Unit for a KMP unit code; codes without a name map to Unit::unknown.
constexpr Unit unit_from_code(std::uint8_t code) {
    return code < detail::unit_symbols.size() ? static_cast<Unit>(code) : Unit::unknown;
}

// The unit's symbol as Kamstrup tools and the reference integration print it ("" for none).
constexpr std::string_view unit_symbol(Unit u) {
    const auto i = static_cast<std::size_t>(u);
    return i < detail::unit_symbols.size() ? detail::unit_symbols[i] : std::string_view{};
}

constexpr std::string_view quantity_name(Quantity q) {
    switch (q) {
        case Quantity::energy:
            return "energy";
        case Quantity::volume:
            return "volume";
        case Quantity::mass:
            return "mass";
        case Quantity::power:
            return "power";
        case Quantity::flow:
            return "flow";
        case Quantity::mass_flow:
            return "mass_flow";
        case Quantity::temperature:
            return "temperature";
        case Quantity::temperature_difference:
            return "temperature_difference";
        case Quantity::pressure:
            return "pressure";
        case Quantity::duration:
            return "duration";
        case Quantity::date:
            return "date";
        case Quantity::time_of_day:
            return "time_of_day";
        case Quantity::count:
            return "count";
        case Quantity::bit_field:
            return "bit_field";
        case Quantity::identifier:
            return "identifier";
        case Quantity::volume_temperature:
            return "volume_temperature";
        case Quantity::other:
            break;
    }
    return "other";
}

}  // namespace kamgw
