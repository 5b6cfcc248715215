#include "plugins/sink-mqtt-ha/info_codes.hpp"

#include <nlohmann/json.hpp>

namespace kamgw::mqtt_ha {
namespace {

// MULTICAL 403 technical description (5512-1689), §7.7.1 "Information code types", the
// "bit format" column: the value the meter sends over KMP is the sum of these.
constexpr InfoBit multical_403_bits[] = {
    {1, "no_voltage_supply", "No voltage supply (recorded in the info log only)"},
    {2, "low_battery", "Low battery level"},
    {4, "external_alarm", "External alarm (e.g. via KMP)"},
    {8, "t1_above_range", "t1 above measuring range or disconnected"},
    {16, "t2_above_range", "t2 above measuring range or disconnected"},
    {32, "t1_below_range", "t1 below measuring range or short-circuited"},
    {64, "t2_below_range", "t2 below measuring range or short-circuited"},
    {128, "invalid_temperature_difference", "Invalid temperature difference (t1-t2)"},
    {256, "v1_air", "Air in flow sensor V1"},
    {512, "v1_wrong_flow_direction", "V1 wrong flow direction"},
    {2048, "v1_flow_above_qs", "V1 flow above qs for more than an hour"},
    {4096, "input_a_leakage", "Pulse input A: leakage in the system"},
    {8192, "input_b_leakage", "Pulse input B: leakage in the system"},
    {16384, "input_a_external_alarm", "Pulse input A: external alarm"},
    {32768, "input_b_external_alarm", "Pulse input B: external alarm"},
};

// MULTICAL 601/602 technical description (5512-931), "Types of info codes": the code is the
// sum of these. 16 and above 1024 come from an ULTRAFLOW X4 flow sensor when enabled.
constexpr InfoBit multical_602_bits[] = {
    {1, "no_voltage_supply", "Supply voltage has been cut off"},
    {4, "t2_outside_range", "Temperature sensor T2 outside measuring range"},
    {8, "t1_outside_range", "Temperature sensor T1 outside measuring range"},
    {16, "v1_datacomm_error", "Flow sensor V1: data communication error"},
    {32, "t3_outside_range", "Temperature sensor T3 outside measuring range"},
    {64, "cold_water_leak", "Leak in the cold-water system"},
    {128, "v2_wrong_pulse_figure", "Flow sensor V2: wrong pulse figure"},
    {256, "heating_leak", "Leak in the heating system"},
    {512, "heating_burst", "Burst in the heating system"},
    {1024, "v2_datacomm_error", "Flow sensor V2: data communication error"},
    {2048, "v1_wrong_pulse_figure", "Flow sensor V1: wrong pulse figure"},
    {4096, "v1_signal_too_low", "Flow sensor V1: signal too low (air)"},
    {8192, "v2_signal_too_low", "Flow sensor V2: signal too low (air)"},
    {16384, "v1_wrong_flow_direction", "Flow sensor V1: wrong flow direction"},
    {32768, "v2_wrong_flow_direction", "Flow sensor V2: wrong flow direction"},
};

bool mentions(std::string_view model, std::string_view number) { return model.find(number) != std::string_view::npos; }

}  // namespace

std::span<const InfoBit> info_bits_for_model(std::string_view model) {
    if (mentions(model, "403")) return multical_403_bits;
    if (mentions(model, "601") || mentions(model, "602")) return multical_602_bits;
    return {};
}

std::string info_attributes_json(std::uint64_t code, std::string_view model) {
    const auto bits = info_bits_for_model(model);
    nlohmann::ordered_json j;
    j["code"] = code;
    j["decoded"] = !bits.empty();
    if (bits.empty()) return j.dump();
    std::uint64_t known = 0;
    auto active = nlohmann::ordered_json::array();
    for (const auto& b : bits) {
        known |= b.mask;
        const bool set = (code & b.mask) != 0;
        j[std::string(b.name)] = set;
        if (set) active.push_back(std::string(b.description));
    }
    j["active"] = std::move(active);
    j["unknown_bits"] = code & ~known;
    return j.dump();
}

}  // namespace kamgw::mqtt_ha
