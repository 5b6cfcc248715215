#include "plugins/sink-influxdb/write_errors.hpp"

#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>

namespace kamgw::influxdb {

std::string error_text(std::string_view body) {
    const auto json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (json.is_object()) {
        for (const char* member : {"error", "message"}) {
            auto it = json.find(member);
            if (it != json.end() && it->is_string()) return it->get<std::string>();
        }
    }
    return std::string(body);
}

namespace {

void add_unique(std::vector<std::size_t>& out, std::size_t i) {
    if (std::find(out.begin(), out.end(), i) == out.end()) out.push_back(i);
}

// "unable to parse '<line>': why" — the quoted line is the whole line as sent, so it can
// be matched exactly. The line itself may contain "': ", so every candidate end is tried.
void quoted_lines(const std::string& text, const LinePayload& sent, std::vector<std::size_t>& out) {
    static constexpr std::string_view marker = "unable to parse '";
    std::size_t pos = 0;
    while ((pos = text.find(marker, pos)) != std::string::npos) {
        const std::size_t begin = pos + marker.size();
        bool matched = false;
        for (std::size_t end = text.find("': ", begin); end != std::string::npos && !matched;
             end = text.find("': ", end + 1)) {
            const std::string_view candidate = std::string_view(text).substr(begin, end - begin);
            for (std::size_t i = 0; i < sent.lines(); ++i) {
                if (sent.line(i) == candidate) {
                    add_unique(out, i);
                    matched = true;
                }
            }
        }
        pos = begin;
    }
}

// "line 3: why" (InfluxDB 2.x): 1-based within the request.
void numbered_lines(const std::string& text, const LinePayload& sent, std::vector<std::size_t>& out) {
    static constexpr std::string_view marker = "line ";
    std::size_t pos = 0;
    while ((pos = text.find(marker, pos)) != std::string::npos) {
        pos += marker.size();
        std::size_t number = 0;
        auto [end, ec] = std::from_chars(text.data() + pos, text.data() + text.size(), number);
        if (ec != std::errc() || end == text.data() + text.size() || *end != ':') continue;
        if (number >= 1 && number <= sent.lines()) add_unique(out, number - 1);
    }
}

}  // namespace

std::vector<std::size_t> bad_line_indexes(std::string_view body, const LinePayload& sent) {
    const std::string text = error_text(body);
    std::vector<std::size_t> out;
    quoted_lines(text, sent, out);
    if (out.empty()) numbered_lines(text, sent, out);
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace kamgw::influxdb
