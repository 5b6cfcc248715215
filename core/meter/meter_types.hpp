// Model names for GetType meter-type codes. Kamstrup publishes only the MULTICAL 601 codes;
// for anything else the configured `model` (or plain "Kamstrup") is used.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kamgw::meter {

std::optional<std::string_view> model_for_meter_type(std::uint16_t meter_type);

// The name a meter is shown with: the known model for its type, else the configured model,
// else "Kamstrup".
std::string model_name(std::optional<std::uint16_t> meter_type, std::string_view configured_model);

}  // namespace kamgw::meter
