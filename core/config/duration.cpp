#include "core/config/duration.hpp"

#include <array>
#include <cctype>
#include <cstdint>
#include <limits>

namespace kamgw::config {
namespace {

struct UnitScale {
    std::string_view name;
    std::int64_t ms;
};

// Longest names first so "ms" and "min" are not read as "m…".
constexpr std::array<UnitScale, 5> units = {{
    {"min", 60'000},
    {"ms", 1},
    {"s", 1'000},
    {"h", 3'600'000},
    {"d", 86'400'000},
}};

bool fail(std::string* why, std::string text) {
    if (why) *why = std::move(text);
    return false;
}

}  // namespace

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text, std::string* why) {
    std::int64_t total = 0;
    std::size_t i = 0;
    bool any = false;
    auto skip_space = [&] {
        while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    };
    skip_space();
    if (i == text.size()) {
        fail(why, "empty duration");
        return std::nullopt;
    }
    while (i < text.size()) {
        if (!std::isdigit(static_cast<unsigned char>(text[i]))) {
            if (text[i] == '-')
                fail(why, "a duration cannot be negative");
            else
                fail(why, "expected a number at '" + std::string(text.substr(i)) + "'");
            return std::nullopt;
        }
        std::int64_t number = 0;
        while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
            const int digit = text[i] - '0';
            if (number > (std::numeric_limits<std::int64_t>::max() - digit) / 10) {
                fail(why, "duration too large");
                return std::nullopt;
            }
            number = number * 10 + digit;
            ++i;
        }
        if (i < text.size() && (text[i] == '.' || text[i] == ',')) {
            fail(why, "fractions are not supported; use a smaller unit (\"90min\" rather than \"1.5h\")");
            return std::nullopt;
        }
        skip_space();
        std::size_t end = i;
        while (end < text.size() && std::isalpha(static_cast<unsigned char>(text[end]))) ++end;
        const std::string_view unit = text.substr(i, end - i);
        if (unit.empty()) {
            fail(why, "'" + std::string(text) + "' has no unit; add one, e.g. \"" + std::to_string(number) + "s\"");
            return std::nullopt;
        }
        const UnitScale* scale = nullptr;
        for (const UnitScale& u : units)
            if (u.name == unit) scale = &u;
        if (!scale) {
            if (unit == "m")
                fail(why, "unit 'm' is ambiguous; write 'min' for minutes");
            else
                fail(why, "unknown unit '" + std::string(unit) + "'");
            return std::nullopt;
        }
        if (number > (std::numeric_limits<std::int64_t>::max() - total) / scale->ms) {
            fail(why, "duration too large");
            return std::nullopt;
        }
        total += number * scale->ms;
        any = true;
        i = end;
        skip_space();
    }
    if (!any) {
        fail(why, "empty duration");
        return std::nullopt;
    }
    return std::chrono::milliseconds{total};
}

std::string format_duration(std::chrono::milliseconds value) {
    std::int64_t rest = value.count();
    if (rest == 0) return "0s";
    std::string out;
    if (rest < 0) {
        out = "-";
        rest = -rest;
    }
    constexpr std::array<UnitScale, 5> descending = {{
        {"d", 86'400'000},
        {"h", 3'600'000},
        {"min", 60'000},
        {"s", 1'000},
        {"ms", 1},
    }};
    for (const UnitScale& u : descending) {
        if (rest >= u.ms) {
            out += std::to_string(rest / u.ms);
            out += u.name;
            rest %= u.ms;
        }
    }
    return out;
}

}  // namespace kamgw::config
