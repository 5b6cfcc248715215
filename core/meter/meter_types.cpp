#include "core/meter/meter_types.hpp"

#include "core/kmp/meter_model.hpp"

namespace kamgw::meter {

std::optional<std::string_view> model_for_meter_type(std::uint16_t meter_type) {
    switch (meter_type) {
        // The vendor's MULTICAL 601 document; 0x15xx is the same meter behind a 67-05 top module.
        case 0x0001:
        case 0x1501:
            return "MULTICAL 601 (Pt500)";
        case 0x0004:
        case 0x1504:
            return "MULTICAL 601 (Pt100)";
        case 0x0005:
        case 0x1505:
            return "MULTICAL 601 (Pt500, 4-wire)";
        // kamgw's simulated meters.
        case kmp::sim_type_multical403:
            return "MULTICAL 403 (simulated)";
        case kmp::sim_type_multical603:
            return "MULTICAL 603 (simulated)";
        case kmp::sim_type_flowiq:
            return "flowIQ (simulated)";
        default:
            return std::nullopt;
    }
}

std::string model_name(std::optional<std::uint16_t> meter_type, std::string_view configured_model) {
    if (meter_type)
        if (auto known = model_for_meter_type(*meter_type)) return std::string(*known);
    if (!configured_model.empty()) return std::string(configured_model);
    return "Kamstrup";
}

}  // namespace kamgw::meter
