#include "core/kmp/register_catalogue.hpp"

#include <array>
#include <charconv>
#include <mutex>
#include <set>

namespace kamgw::kmp {
namespace {

using Q = Quantity;
using DC = HaDeviceClass;
using SC = HaStateClass;
constexpr auto diag = HaEntityCategory::diagnostic;
constexpr auto no_cat = HaEntityCategory::none;

constexpr HaHints hints(DC dc, SC sc, std::string_view icon = {}, HaEntityCategory cat = no_cat,
                        std::int8_t precision = -1) {
    return HaHints{dc, sc, cat, precision, icon};
}

// Home Assistant hints per kind of register, so that equal kinds are presented equally.
constexpr HaHints energy_total(std::string_view icon = "mdi:radiator") {
    return hints(DC::energy, SC::total_increasing, icon);
}
constexpr HaHints volume_total(std::string_view icon = "mdi:water") {
    return hints(DC::volume, SC::total_increasing, icon);
}
constexpr HaHints power_now = hints(DC::power, SC::measurement, "mdi:flash");
constexpr HaHints flow_now = hints(DC::volume_flow_rate, SC::measurement, "mdi:water-pump");
constexpr HaHints temperature_now = hints(DC::temperature, SC::measurement, "mdi:thermometer");
// A date the meter stamped on an extreme value; Home Assistant shows it as a timestamp.
constexpr HaHints date_stamp = hints(DC::timestamp, SC::none, "mdi:calendar");
constexpr HaHints identifier = hints(DC::none, SC::none, "mdi:identifier", diag, 0);

// Ordered by id. Keys are published in topics, CSV headers and Influx fields: never rename one.
// The first block is every register the reference integration offers (protocol notes §5.2),
// the rest are the registers of the vendor and MULTICAL 302/402 descriptions (§5.3).
constexpr std::array catalogue = {
    RegisterInfo{60, "heat_energy", "Heat energy (E1)", Q::energy, true, energy_total()},
    RegisterInfo{61, "flow_energy", "Flow energy (E4)", Q::energy, false, energy_total()},
    RegisterInfo{62, "return_energy", "Return energy (E5)", Q::energy, false, energy_total()},
    RegisterInfo{63, "cooling_energy", "Cooling energy (E3)", Q::energy, false, energy_total("mdi:snowflake")},
    RegisterInfo{64, "tariff_register_2", "Tariff register TA2", Q::energy, false, energy_total("mdi:counter")},
    RegisterInfo{65, "tariff_register_3", "Tariff register TA3", Q::energy, false, energy_total("mdi:counter")},
    RegisterInfo{66, "tariff_limit_2", "Tariff limit TL2", Q::other, false,
                 hints(DC::none, SC::none, "mdi:tune", diag)},
    RegisterInfo{67, "tariff_limit_3", "Tariff limit TL3", Q::other, false,
                 hints(DC::none, SC::none, "mdi:tune", diag)},
    RegisterInfo{68, "volume", "Volume (V1)", Q::volume, true, volume_total()},
    RegisterInfo{69, "volume2", "Volume (V2)", Q::volume, false, volume_total()},
    RegisterInfo{72, "mass1", "Mass (M1)", Q::mass, false, hints(DC::none, SC::total_increasing, "mdi:weight")},
    RegisterInfo{73, "mass2", "Mass (M2)", Q::mass, false, hints(DC::none, SC::total_increasing, "mdi:weight")},
    RegisterInfo{74, "flow", "Flow (V1)", Q::flow, false, flow_now},
    RegisterInfo{75, "flow2", "Flow (V2)", Q::flow, false, flow_now},
    RegisterInfo{80, "power", "Power", Q::power, false, power_now},
    RegisterInfo{84, "input_a", "Pulse input A (VA)", Q::other, false,
                 hints(DC::none, SC::total_increasing, "mdi:counter")},
    RegisterInfo{85, "input_b", "Pulse input B (VB)", Q::other, false,
                 hints(DC::none, SC::total_increasing, "mdi:counter")},
    RegisterInfo{86, "t_forward", "Forward temperature (T1)", Q::temperature, false, temperature_now},
    RegisterInfo{87, "t_return", "Return temperature (T2)", Q::temperature, false, temperature_now},
    RegisterInfo{88, "t3", "Temperature T3", Q::temperature, false, temperature_now},
    // No temperature device class: the meter sends K for this difference, and Home Assistant
    // would convert it as an absolute temperature (30 K shown as -243 °C).
    RegisterInfo{89, "t_diff", "Temperature difference (T1-T2)", Q::temperature_difference, false,
                 hints(DC::none, SC::measurement, "mdi:thermometer")},
    RegisterInfo{91, "pressure1", "Pressure (P1)", Q::pressure, false,
                 hints(DC::pressure, SC::measurement, "mdi:gauge")},
    RegisterInfo{92, "pressure2", "Pressure (P2)", Q::pressure, false,
                 hints(DC::pressure, SC::measurement, "mdi:gauge")},
    RegisterInfo{94, "control_energy", "Control energy (E2)", Q::energy, false, energy_total()},
    RegisterInfo{95, "tap_water_energy", "Tap water energy (E6)", Q::energy, false, energy_total("mdi:water-boiler")},
    RegisterInfo{96, "heat_energy_e7", "Heat energy (E7)", Q::energy, false, energy_total()},
    RegisterInfo{97, "t_forward_volume", "Forward temperature x volume (E8)", Q::volume_temperature, false,
                 hints(DC::none, SC::total_increasing, "mdi:thermometer")},
    RegisterInfo{98, "target_date", "Target date", Q::date, false,
                 hints(DC::timestamp, SC::none, "mdi:calendar", diag)},
    RegisterInfo{99, "info", "Info code", Q::bit_field, true, hints(DC::none, SC::none, "mdi:eye", diag, 0)},
    RegisterInfo{110, "t_return_volume", "Return temperature x volume (E9)", Q::volume_temperature, false,
                 hints(DC::none, SC::total_increasing, "mdi:thermometer")},
    RegisterInfo{112, "customer_number_high", "Customer number (high 8 digits)", Q::identifier, false, identifier},
    RegisterInfo{113, "info_counter", "Info event counter", Q::count, true,
                 hints(DC::none, SC::total_increasing, "mdi:counter", diag, 0)},
    RegisterInfo{122, "t4", "Temperature T4", Q::temperature, false, temperature_now},
    RegisterInfo{123, "max_flow_date_year", "Date of maximum flow this year", Q::date, false, date_stamp},
    RegisterInfo{124, "max_flow_year", "Maximum flow this year", Q::flow, false, flow_now},
    RegisterInfo{125, "min_flow_date_year", "Date of minimum flow this year", Q::date, false, date_stamp},
    RegisterInfo{126, "min_flow_year", "Minimum flow this year", Q::flow, false, flow_now},
    RegisterInfo{127, "max_power_date_year", "Date of maximum power this year", Q::date, false, date_stamp},
    RegisterInfo{128, "max_power_year", "Maximum power this year", Q::power, false, power_now},
    RegisterInfo{129, "min_power_date_year", "Date of minimum power this year", Q::date, false, date_stamp},
    RegisterInfo{130, "min_power_year", "Minimum power this year", Q::power, false, power_now},
    RegisterInfo{138, "max_flow_date_month", "Date of maximum flow this month", Q::date, false, date_stamp},
    RegisterInfo{139, "max_flow_month", "Maximum flow this month", Q::flow, false, flow_now},
    RegisterInfo{140, "min_flow_date_month", "Date of minimum flow this month", Q::date, false, date_stamp},
    RegisterInfo{141, "min_flow_month", "Minimum flow this month", Q::flow, false, flow_now},
    RegisterInfo{142, "max_power_date_month", "Date of maximum power this month", Q::date, false, date_stamp},
    RegisterInfo{143, "max_power_month", "Maximum power this month", Q::power, false, power_now},
    RegisterInfo{144, "min_power_date_month", "Date of minimum power this month", Q::date, false, date_stamp},
    RegisterInfo{145, "min_power_month", "Minimum power this month", Q::power, false, power_now},
    RegisterInfo{146, "avg_t_forward_year", "Average forward temperature this year", Q::temperature, false,
                 temperature_now},
    RegisterInfo{147, "avg_t_return_year", "Average return temperature this year", Q::temperature, false,
                 temperature_now},
    RegisterInfo{149, "avg_t_forward_month", "Average forward temperature this month", Q::temperature, false,
                 temperature_now},
    RegisterInfo{150, "avg_t_return_month", "Average return temperature this month", Q::temperature, false,
                 temperature_now},
    RegisterInfo{152, "program_number", "Program number", Q::identifier, false, identifier},
    RegisterInfo{153, "config_number_1", "Configuration number 1", Q::identifier, false, identifier},
    RegisterInfo{154, "software_checksum", "Software checksum", Q::identifier, false, identifier},
    RegisterInfo{155, "heat_energy_hires_mc601", "Heat energy high resolution (MULTICAL 601)", Q::energy, false,
                 energy_total()},
    RegisterInfo{157, "top_module_id", "Top module id", Q::identifier, false, identifier},
    RegisterInfo{158, "base_module_id", "Base module id", Q::identifier, false, identifier},
    RegisterInfo{168, "config_number_2", "Configuration number 2", Q::identifier, false, identifier},
    RegisterInfo{175, "error_hour_counter", "Error hour counter", Q::duration, false,
                 hints(DC::duration, SC::total_increasing, "mdi:timer-alert", diag, 0)},
    RegisterInfo{184, "mbus_primary_address", "M-Bus primary address", Q::identifier, false, identifier},
    RegisterInfo{185, "mbus_secondary_address", "M-Bus secondary address", Q::identifier, false, identifier},
    RegisterInfo{223, "volume_hires_mc402", "Volume high resolution (MULTICAL 402)", Q::volume, false, volume_total()},
    RegisterInfo{229, "avg_t_forward_integration", "Forward temperature average of the last integration",
                 Q::temperature, false, temperature_now},
    RegisterInfo{230, "avg_t_return_integration", "Return temperature average of the last integration", Q::temperature,
                 false, temperature_now},
    RegisterInfo{234, "litres_per_pulse_a", "Litres per pulse, input A", Q::other, false,
                 hints(DC::none, SC::none, "mdi:tune", diag)},
    RegisterInfo{235, "litres_per_pulse_b", "Litres per pulse, input B", Q::other, false,
                 hints(DC::none, SC::none, "mdi:tune", diag)},
    RegisterInfo{239, "volume_hires_mc302", "Volume high resolution (MULTICAL 302)", Q::volume, false, volume_total()},
    RegisterInfo{266, "heat_energy_hires", "Heat energy (E1) high resolution", Q::energy, true, energy_total()},
    RegisterInfo{267, "cooling_energy_hires", "Cooling energy (E3) high resolution", Q::energy, false,
                 energy_total("mdi:snowflake")},
    RegisterInfo{1001, "serial", "Serial number", Q::identifier, true,
                 hints(DC::none, SC::none, "mdi:barcode", diag, 0)},
    RegisterInfo{1002, "time", "Meter time", Q::time_of_day, false, hints(DC::none, SC::none, "mdi:clock", diag)},
    RegisterInfo{1003, "date", "Meter date", Q::date, false, hints(DC::timestamp, SC::none, "mdi:calendar", diag)},
    RegisterInfo{1004, "hour_counter", "Operating hours", Q::duration, true,
                 hints(DC::duration, SC::total_increasing, "mdi:timer-sand", diag, 0)},
    RegisterInfo{1005, "meter_type", "Meter type and software edition", Q::identifier, false, identifier},
    RegisterInfo{1010, "customer_number_low", "Customer number (low 8 digits)", Q::identifier, false, identifier},
};

// The reference integration's enabled sensors, in its registration order, so that a default
// configuration sends the same single 7-register request.
constexpr std::array<std::uint16_t, 7> defaults = {60, 266, 68, 99, 113, 1001, 1004};

// Keys and names of registers known only by number must outlive every RegisterInfo that
// points at them; a node-based set never moves its strings.
std::string_view intern(std::string text) {
    static std::mutex mutex;
    static std::set<std::string, std::less<>> strings;
    std::lock_guard lock(mutex);
    return *strings.insert(std::move(text)).first;
}

std::optional<std::uint16_t> parse_id(std::string_view token) {
    int base = 10;
    if (token.size() > 2 && token[0] == '0' && (token[1] == 'x' || token[1] == 'X')) {
        token.remove_prefix(2);
        base = 16;
    } else if (token.size() > 1 && token[0] == 'r') {
        token.remove_prefix(1);  // "r1234", the key a register known only by number is given
    }
    if (token.empty()) return std::nullopt;
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), value, base);
    if (ec != std::errc{} || end != token.data() + token.size() || value > 0xFFFF) return std::nullopt;
    return static_cast<std::uint16_t>(value);
}

}  // namespace

std::span<const RegisterInfo> register_catalogue() { return catalogue; }

const RegisterInfo* find_register(std::uint16_t id) {
    for (const auto& info : catalogue)
        if (info.id == id) return &info;
    return nullptr;
}

const RegisterInfo* find_register(std::string_view key) {
    for (const auto& info : catalogue)
        if (info.key == key) return &info;
    return nullptr;
}

std::optional<RegisterInfo> resolve_register(std::string_view token) {
    if (const auto* info = find_register(token)) return *info;
    const auto id = parse_id(token);
    if (!id) return std::nullopt;
    if (const auto* info = find_register(*id)) return *info;
    RegisterInfo info;
    info.id = *id;
    info.key = intern(register_key(*id));
    info.name = intern("Register " + std::to_string(*id));
    return info;
}

std::string register_key(std::uint16_t id) {
    if (const auto* info = find_register(id)) return std::string(info->key);
    return "r" + std::to_string(id);
}

std::span<const std::uint16_t> default_registers() { return defaults; }

Unit typical_unit(const RegisterInfo& info) {
    switch (info.quantity) {
        case Q::energy:
            // High-resolution energy registers count Wh on the meters that have them.
            return info.key.find("hires") != std::string_view::npos ? Unit::Wh : Unit::kWh;
        case Q::volume:
            return Unit::cubic_metre;
        case Q::mass:
            return Unit::ton;
        case Q::power:
            return Unit::kW;
        case Q::flow:
            return Unit::litre_per_hour;
        case Q::mass_flow:
            return Unit::ton_per_hour;
        case Q::temperature:
            return Unit::celsius;
        case Q::temperature_difference:
            return Unit::kelvin;
        case Q::pressure:
            return Unit::bar;
        case Q::duration:
            return Unit::hour;
        case Q::date:
            return Unit::date_yymmdd;
        case Q::time_of_day:
            return Unit::clock_hhmmss;
        case Q::volume_temperature:
            return Unit::cubic_metre_celsius;
        case Q::count:
        case Q::bit_field:
        case Q::identifier:
            return Unit::number;
        case Q::other:
            break;
    }
    return Unit::none;
}

}  // namespace kamgw::kmp
