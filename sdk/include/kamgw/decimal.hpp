// An exact decimal number: ±mantissa × 10^exponent, the way a Kamstrup meter sends it.
//
// Meters send an integer mantissa and a power-of-ten exponent. Converting to double at the
// wire turns 1917.57 into 1917.5700000000002 on the way to a hub; keeping the pair and
// printing it as text keeps the value exactly as the meter sent it.
#pragma once

#include <charconv>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kamgw {

struct Decimal {
    std::uint64_t mantissa = 0;  // magnitude, up to 8 bytes on the wire
    std::int32_t exponent = 0;   // power of ten
    bool negative = false;       // sign of the value (a negative zero stays negative)

    // Plain positional notation, no exponent letter, valid as a JSON number:
    // 1917.57, -0.05, 87654321000, 0. Trailing zeros the meter sent are kept (1.50 stays 1.50).
    [[nodiscard]] std::string to_string() const {
        std::string digits = std::to_string(mantissa);
        std::string out;
        if (negative && mantissa != 0) out.push_back('-');
        if (exponent >= 0) {
            out += digits;
            if (mantissa != 0) out.append(static_cast<std::size_t>(exponent), '0');
            return out;
        }
        const auto frac = static_cast<std::size_t>(-static_cast<std::int64_t>(exponent));
        if (digits.size() <= frac) {
            out += "0.";
            out.append(frac - digits.size(), '0');
            out += digits;
        } else {
            out.append(digits, 0, digits.size() - frac);
            out.push_back('.');
            out.append(digits, digits.size() - frac, std::string::npos);
        }
        return out;
    }

    // The nearest double. Built from the decimal text so the result is correctly rounded
    // (mantissa * pow(10, -2) would not be: 191760 * 0.01 = 1917.6000000000001).
    [[nodiscard]] double to_double() const {
        const std::string text = to_string();
        double value = 0.0;
        std::from_chars(text.data(), text.data() + text.size(), value);
        return value;
    }

    // Same number, whatever the representation: 1.50 == 1.5, 0 == -0.
    [[nodiscard]] bool numerically_equal(const Decimal& other) const {
        Decimal a = normalized(), b = other.normalized();
        if (a.mantissa == 0 && b.mantissa == 0) return true;
        return a.mantissa == b.mantissa && a.exponent == b.exponent && a.negative == b.negative;
    }

    // Trailing zeros of the mantissa moved into the exponent.
    [[nodiscard]] Decimal normalized() const {
        Decimal d = *this;
        while (d.mantissa != 0 && d.mantissa % 10 == 0) {
            d.mantissa /= 10;
            ++d.exponent;
        }
        return d;
    }

    // Parses plain decimal text such as "-12.340" or "7". No exponent letter, no spaces.
    [[nodiscard]] static std::optional<Decimal> parse(std::string_view text) {
        Decimal d;
        if (!text.empty() && (text.front() == '-' || text.front() == '+')) {
            d.negative = text.front() == '-';
            text.remove_prefix(1);
        }
        if (text.empty()) return std::nullopt;
        bool seen_point = false, seen_digit = false;
        for (char c : text) {
            if (c == '.') {
                if (seen_point) return std::nullopt;
                seen_point = true;
                continue;
            }
            if (c < '0' || c > '9') return std::nullopt;
            const auto digit = static_cast<std::uint64_t>(c - '0');
            if (d.mantissa > (UINT64_MAX - digit) / 10) return std::nullopt;
            d.mantissa = d.mantissa * 10 + digit;
            seen_digit = true;
            if (seen_point) --d.exponent;
        }
        if (!seen_digit) return std::nullopt;
        return d;
    }

    friend bool operator==(const Decimal&, const Decimal&) = default;  // representation equality
};

}  // namespace kamgw
