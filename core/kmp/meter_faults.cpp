// Fault lists of the simulated meter: "echo,noise,omit=63+80,silent=2,sleep=10m/30s,…".
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/kmp/meter_model.hpp"

namespace kamgw::kmp {
namespace {

std::optional<std::chrono::milliseconds> parse_fault_duration(std::string_view text) {
    std::size_t i = 0;
    while (i < text.size() && ((text[i] >= '0' && text[i] <= '9') || text[i] == '.')) ++i;
    if (i == 0) return std::nullopt;
    double number = 0;
    try {
        number = std::stod(std::string(text.substr(0, i)));
    } catch (const std::exception&) {
        return std::nullopt;
    }
    const std::string_view unit = text.substr(i);
    double ms_per_unit = 0;
    if (unit == "ms")
        ms_per_unit = 1;
    else if (unit == "s" || unit.empty())
        ms_per_unit = 1000;
    else if (unit == "m" || unit == "min")
        ms_per_unit = 60000;
    else if (unit == "h")
        ms_per_unit = 3600000;
    else
        return std::nullopt;
    return std::chrono::milliseconds(static_cast<std::int64_t>(std::llround(number * ms_per_unit)));
}

std::string duration_text(std::chrono::milliseconds d) {
    if (d.count() % 3600000 == 0 && d.count() != 0) return std::to_string(d.count() / 3600000) + "h";
    if (d.count() % 60000 == 0 && d.count() != 0) return std::to_string(d.count() / 60000) + "m";
    if (d.count() % 1000 == 0 && d.count() != 0) return std::to_string(d.count() / 1000) + "s";
    return std::to_string(d.count()) + "ms";
}

std::uint32_t parse_count(std::string_view item, std::string_view value) {
    try {
        std::size_t used = 0;
        const auto n = std::stoul(std::string(value), &used);
        if (used == value.size()) return static_cast<std::uint32_t>(n);
    } catch (const std::exception&) {
    }
    throw std::invalid_argument("fault '" + std::string(item) + "': '" + std::string(value) + "' is not a count");
}

}  // namespace

Faults parse_faults(std::string_view text, Faults f) {
    while (!text.empty()) {
        const auto comma = text.find(',');
        std::string_view item = text.substr(0, comma);
        text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
        while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
        while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
        if (item.empty()) continue;
        const auto eq = item.find_first_of("=:");
        const std::string_view name = item.substr(0, eq);
        const std::string_view value = eq == std::string_view::npos ? std::string_view{} : item.substr(eq + 1);
        if (name == "echo") {
            f.echo = true;
        } else if (name == "noise") {
            f.noise = true;
        } else if (name == "silent" || name == "silence") {
            if (value.empty())
                f.silent = true;
            else
                f.silent_answers = parse_count(item, value);
        } else if (name == "corrupt" || name == "bad_crc" || name == "crc") {
            if (value.empty())
                f.corrupt = true;
            else
                f.corrupt_answers = parse_count(item, value);
        } else if (name == "omit") {
            std::string_view ids = value;
            if (ids.empty()) throw std::invalid_argument("fault 'omit' needs register ids, e.g. omit=63+80");
            while (!ids.empty()) {
                const auto plus = ids.find_first_of("+/ ");
                f.omitted.push_back(static_cast<std::uint16_t>(parse_count(item, ids.substr(0, plus))));
                ids = plus == std::string_view::npos ? std::string_view{} : ids.substr(plus + 1);
            }
        } else if (name == "delay" || name == "answer_delay") {
            auto d = parse_fault_duration(value);
            if (!d) throw std::invalid_argument("fault '" + std::string(item) + "': expected a duration such as 300ms");
            f.answer_delay = *d;
        } else if (name == "sleep") {
            // sleep=AFTER[/QUIET]: silent AFTER being awake, until QUIET passes without a request.
            const auto slash = value.find('/');
            auto after = parse_fault_duration(value.substr(0, slash));
            if (!after)
                throw std::invalid_argument("fault '" + std::string(item) + "': expected sleep=10m or sleep=10m/30s");
            f.sleep_after = *after;
            if (slash != std::string_view::npos) {
                auto quiet = parse_fault_duration(value.substr(slash + 1));
                if (!quiet) throw std::invalid_argument("fault '" + std::string(item) + "': bad wake pause");
                f.wake_after_quiet = *quiet;
            }
        } else if (name == "not_kmp" || name == "notkmp" || name == "iec1107") {
            f.not_kmp = true;
        } else {
            throw std::invalid_argument("unknown fault '" + std::string(name) +
                                        "' (accepted: echo, noise, silent[=N], corrupt[=N], omit=ID+ID, "
                                        "delay=DURATION, sleep=AFTER[/QUIET], not_kmp)");
        }
    }
    return f;
}

std::string describe_faults(const Faults& f) {
    std::vector<std::string> items;
    if (f.echo) items.emplace_back("echo");
    if (f.noise) items.emplace_back("noise");
    if (f.silent) items.emplace_back("silent");
    if (f.silent_answers) items.push_back("silent=" + std::to_string(f.silent_answers));
    if (f.corrupt) items.emplace_back("corrupt");
    if (f.corrupt_answers) items.push_back("corrupt=" + std::to_string(f.corrupt_answers));
    if (!f.omitted.empty()) {
        std::string s = "omit=";
        for (std::size_t i = 0; i < f.omitted.size(); ++i) s += (i ? "+" : "") + std::to_string(f.omitted[i]);
        items.push_back(s);
    }
    if (f.sleep_after.count() > 0)
        items.push_back("sleep=" + duration_text(f.sleep_after) + "/" + duration_text(f.wake_after_quiet));
    if (f.not_kmp) items.emplace_back("not_kmp");
    std::string out;
    for (const auto& i : items) out += (out.empty() ? "" : ",") + i;
    return out;
}

}  // namespace kamgw::kmp
