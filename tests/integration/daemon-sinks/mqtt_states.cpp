#include "tests/integration/daemon-sinks/mqtt_states.hpp"

#include <set>

namespace kamgw::test::daemon_sinks {

std::string value_text(const std::string& payload, const std::string& key) {
    const std::string needle = "\"" + key + "\":";
    const auto at = payload.find(needle);
    if (at == std::string::npos) return {};
    const auto begin = at + needle.size();
    const auto end = payload.find_first_of(",}", begin);
    return payload.substr(begin, end - begin);
}

std::int64_t read_at(const std::string& payload) {
    const auto text = value_text(payload, "read_at");
    return text.size() > 2 ? parse_utc(text.substr(1, text.size() - 2)) : -1;
}

bool is_state_of(const std::string& payload, const CsvPoll& poll) {
    const auto at = read_at(payload);
    if (at < poll.unix_s || at > poll.unix_s + 2) return false;
    for (const auto& [key, value] : poll.values)
        if (value_text(payload, key) != value) return false;
    return true;
}

std::size_t count_delivered(const std::vector<CsvPoll>& polls, const std::vector<std::string>& states,
                            std::string* missing) {
    std::vector<bool> used(states.size(), false);
    std::size_t delivered = 0;
    for (const auto& poll : polls) {
        bool found = false;
        for (std::size_t i = 0; i < states.size() && !found; ++i) {
            if (used[i] || !is_state_of(states[i], poll)) continue;
            used[i] = found = true;
        }
        if (found) {
            ++delivered;
        } else if (missing) {
            *missing += poll.time + " heat_energy_hires=" + poll.values.at("heat_energy_hires") + "\n";
        }
    }
    return delivered;
}

std::vector<std::string> distinct_states(const std::vector<const MqttWatcher*>& watchers, const std::string& topic) {
    std::vector<std::string> out;
    std::set<std::string> seen;
    for (const auto* w : watchers)
        for (const auto& m : w->on(topic))
            if (seen.insert(m.payload).second) out.push_back(m.payload);
    return out;
}

}  // namespace kamgw::test::daemon_sinks
