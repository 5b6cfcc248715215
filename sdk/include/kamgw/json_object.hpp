// A minimal JSON object writer. Numbers are written as given, so an exact decimal such as
// 1917.57 reaches the output exactly as the meter sent it; a general JSON library would pass
// it through a double first (1917.5699999999999).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace kamgw {

class JsonObject {
public:
    JsonObject& string(std::string_view key, std::string_view value) {
        begin(key);
        append_quoted(value);
        return *this;
    }
    JsonObject& number(std::string_view key, std::int64_t value) { return raw(key, std::to_string(value)); }
    JsonObject& boolean(std::string_view key, bool value) { return raw(key, value ? "true" : "false"); }
    JsonObject& null(std::string_view key) { return raw(key, "null"); }
    // `json` must already be valid JSON text (a number, an array, an object).
    JsonObject& raw(std::string_view key, std::string_view json) {
        begin(key);
        text_ += json;
        return *this;
    }
    [[nodiscard]] std::string str() const { return text_ + "}"; }

    static std::string quoted(std::string_view value) {
        JsonObject o;
        o.text_.clear();
        o.append_quoted(value);
        return o.text_;
    }

private:
    void begin(std::string_view key) {
        if (text_.size() > 1) text_ += ',';
        append_quoted(key);
        text_ += ':';
    }
    void append_quoted(std::string_view value) {
        static constexpr char hex[] = "0123456789abcdef";
        text_ += '"';
        for (char c : value) {
            const auto u = static_cast<unsigned char>(c);
            if (c == '"' || c == '\\') {
                text_ += '\\';
                text_ += c;
            } else if (c == '\n') {
                text_ += "\\n";
            } else if (c == '\t') {
                text_ += "\\t";
            } else if (u < 0x20) {
                text_ += "\\u00";
                text_ += hex[u >> 4];
                text_ += hex[u & 0x0F];
            } else {
                text_ += c;  // UTF-8 (°C, m³) passes through unchanged
            }
        }
        text_ += '"';
    }

    std::string text_ = "{";
};

}  // namespace kamgw
