// The info code (register 99) taken apart into named flags, for the models whose Kamstrup
// technical description documents what each bit means. For any other model only the raw
// code is published: a guessed meaning on an alarm is worse than none.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace kamgw::mqtt_ha {

struct InfoBit {
    std::uint32_t mask;
    std::string_view name;         // snake_case attribute name
    std::string_view description;  // a short sentence for people
};

// The documented bits for a model name such as "MULTICAL 403"; empty when kamgw does not
// know the model's info code layout.
std::span<const InfoBit> info_bits_for_model(std::string_view model);

// The attributes JSON for an info code: {"code":N,"decoded":bool,"<name>":bool…,"active":[…],
// "unknown_bits":M}. `unknown_bits` holds set bits the layout does not name.
std::string info_attributes_json(std::uint64_t code, std::string_view model);

}  // namespace kamgw::mqtt_ha
