// Durations as users write them: "500ms", "90s", "10min", "1h", "1d" and sums such as "1h30min".
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace kamgw::config {

// What a duration must look like, for "accepted: …" in error messages.
inline constexpr std::string_view duration_syntax =
    "a string of numbers with units ms, s, min, h or d, e.g. \"500ms\", \"90s\", \"10min\", \"1h30min\"";

// The duration, or nullopt with the reason in *why (when why is given).
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text, std::string* why = nullptr);

// The shortest text parse_duration() reads back as the same value: "1h30min", "500ms", "0s".
std::string format_duration(std::chrono::milliseconds value);

}  // namespace kamgw::config
