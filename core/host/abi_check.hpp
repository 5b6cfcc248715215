// The plugin host's first check: the ABI fingerprint that KAMGW_PLUGIN wrote into a plugin file
// (kamgw/abi_fingerprint.hpp), compared with this kamgw's own before the file is loaded.
//
// Compatibility rule: every field this kamgw knows must be equal. Fields a newer SDK appended
// are not compared (the plugin ABI number, which such an SDK raises for any change that matters,
// already differs); a field this kamgw knows but the plugin's fingerprint lacks is a difference.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace kamgw::host {

// The fingerprint as 32-bit words, in the order of kamgw::abi::Fingerprint's fields.
using FingerprintWords = std::vector<std::uint32_t>;

// This kamgw's own fingerprint.
FingerprintWords host_fingerprint();

// One "<what>: plugin built for X, this kamgw is Y" per differing field, in field order.
std::vector<std::string> fingerprint_differences(const FingerprintWords& plugin, const FingerprintWords& host);

// Reads the plugin file's fingerprint and compares it with `host`: nothing when the plugin fits,
// else the one sentence that refuses it (it names the file and says what to do).
std::optional<std::string> abi_refusal(const std::filesystem::path& file, const FingerprintWords& host);

}  // namespace kamgw::host
