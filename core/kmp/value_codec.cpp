#include "core/kmp/value_codec.hpp"

#include <cstdio>

namespace kamgw::kmp {
namespace {

constexpr std::uint8_t siex_sign = 0x80;
constexpr std::uint8_t siex_exponent_sign = 0x40;
constexpr std::uint8_t siex_exponent_mask = 0x3F;

bool fits(std::uint64_t mantissa, std::uint8_t nob) { return nob >= 8 || mantissa < (std::uint64_t{1} << (8 * nob)); }

// Rewrites `d` without changing its value so that the exponent fits the six bits of SIEX
// and the mantissa fits `nob` bytes, where that can be done exactly.
bool fit_representation(Decimal& d, std::uint8_t nob) {
    if (d.mantissa == 0) d.exponent = 0;
    while (d.exponent > 63) {
        if (d.mantissa > UINT64_MAX / 10) return false;
        d.mantissa *= 10;
        --d.exponent;
    }
    while (d.exponent < -63 && d.mantissa % 10 == 0 && d.mantissa != 0) {
        d.mantissa /= 10;
        ++d.exponent;
    }
    if (d.exponent < -63) return false;
    while (!fits(d.mantissa, nob) && d.mantissa % 10 == 0 && d.exponent < 63) {
        d.mantissa /= 10;
        ++d.exponent;
    }
    return fits(d.mantissa, nob);
}

}  // namespace

std::optional<Decimal> decode_value(std::uint8_t siex, std::span<const std::uint8_t> mantissa) {
    if (mantissa.size() > 8) return std::nullopt;
    Decimal d;
    for (std::uint8_t b : mantissa) d.mantissa = (d.mantissa << 8) | b;
    const int magnitude = siex & siex_exponent_mask;
    d.exponent = (siex & siex_exponent_sign) ? -magnitude : magnitude;
    d.negative = (siex & siex_sign) != 0;
    return d;
}

std::optional<EncodedValue> encode_value(const Decimal& value, std::uint8_t nob) {
    if (nob < 1 || nob > 8) return std::nullopt;
    Decimal d = value;
    if (!fit_representation(d, nob)) return std::nullopt;
    EncodedValue out;
    const int magnitude = d.exponent < 0 ? -d.exponent : d.exponent;
    out.siex = static_cast<std::uint8_t>(magnitude & siex_exponent_mask);
    if (d.exponent < 0) out.siex |= siex_exponent_sign;
    if (d.negative) out.siex |= siex_sign;
    out.mantissa.resize(nob);
    std::uint64_t m = d.mantissa;
    for (int i = nob - 1; i >= 0; --i) {
        out.mantissa[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(m & 0xFF);
        m >>= 8;
    }
    return out;
}

std::optional<std::uint8_t> minimal_nob(const Decimal& value) {
    for (std::uint8_t nob = 1; nob <= 8; ++nob) {
        Decimal d = value;
        if (fit_representation(d, nob)) return nob;
    }
    return std::nullopt;
}

std::optional<std::string> format_date_time(const Decimal& value, Unit unit) {
    if (value.negative && value.mantissa != 0) return std::nullopt;
    if (value.exponent != 0 && value.mantissa != 0) return std::nullopt;
    const std::uint64_t v = value.mantissa;
    char text[16];
    const auto days_in = [](unsigned year, unsigned month) -> unsigned {
        static constexpr unsigned days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
        const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        return month == 2 && leap ? 29 : days[month - 1];
    };
    switch (unit) {
        case Unit::date_yymmdd:
        case Unit::date_yyyymmdd: {
            if (v == 0) return std::nullopt;
            const bool short_year = unit == Unit::date_yymmdd;
            if (v > (short_year ? 991231u : 99991231u)) return std::nullopt;
            const auto year = static_cast<unsigned>(v / 10000) + (short_year ? 2000u : 0u);
            const auto month = static_cast<unsigned>(v / 100 % 100);
            const auto day = static_cast<unsigned>(v % 100);
            if (month < 1 || month > 12 || day < 1 || day > days_in(year, month)) return std::nullopt;
            std::snprintf(text, sizeof text, "%04u-%02u-%02u", year, month, day);
            return std::string(text);
        }
        case Unit::date_mmdd: {
            if (v == 0 || v > 1231) return std::nullopt;
            const auto month = static_cast<unsigned>(v / 100);
            const auto day = static_cast<unsigned>(v % 100);
            // No year: allow 29 February, it exists in some year.
            if (month < 1 || month > 12 || day < 1 || day > days_in(2000, month)) return std::nullopt;
            std::snprintf(text, sizeof text, "%02u-%02u", month, day);
            return std::string(text);
        }
        case Unit::clock_hhmmss: {
            if (v > 235959) return std::nullopt;
            const auto hour = static_cast<unsigned>(v / 10000);
            const auto minute = static_cast<unsigned>(v / 100 % 100);
            const auto second = static_cast<unsigned>(v % 100);
            if (hour > 23 || minute > 59 || second > 59) return std::nullopt;
            std::snprintf(text, sizeof text, "%02u:%02u:%02u", hour, minute, second);
            return std::string(text);
        }
        default:
            return std::nullopt;
    }
}

}  // namespace kamgw::kmp
