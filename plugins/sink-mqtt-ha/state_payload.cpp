#include "plugins/sink-mqtt-ha/state_payload.hpp"

#include <ctime>
#include <nlohmann/json.hpp>

#include "kamgw/reading_json.hpp"

#include "plugins/sink-mqtt-ha/entity_presentation.hpp"
#include "plugins/sink-mqtt-ha/info_codes.hpp"
#include "plugins/sink-mqtt-ha/topics.hpp"

namespace kamgw::mqtt_ha {
namespace {

std::string json_string(std::string_view s) { return nlohmann::json(std::string(s)).dump(); }

std::string reading_value_json(const Reading& r) {
    if (r.quality == Quality::error) return "null";
    if (is_date_reading(r)) {
        const auto date = reading_date(r.value, r.unit);
        return date ? json_string(local_midnight_iso(*date)) : "null";
    }
    return r.value.to_string();
}

}  // namespace

std::string local_midnight_iso(std::chrono::year_month_day date) {
    std::tm tm{};
    tm.tm_year = static_cast<int>(date.year()) - 1900;
    tm.tm_mon = static_cast<int>(static_cast<unsigned>(date.month())) - 1;
    tm.tm_mday = static_cast<int>(static_cast<unsigned>(date.day()));
    tm.tm_isdst = -1;  // let the zone rules decide (midnight may fall in summer time)
    const std::time_t t = std::mktime(&tm);
    std::tm local{};
    localtime_r(&t, &local);
    char text[40];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &local);
    const long offset = local.tm_gmtoff;
    const long minutes = (offset < 0 ? -offset : offset) / 60;
    char zone[32];
    std::snprintf(zone, sizeof zone, "%c%02ld:%02ld", offset < 0 ? '-' : '+', minutes / 60, minutes % 60);
    return std::string(text) + zone;
}

MqttMessage meter_state(const Options& o, const ReadingBatch& b) {
    std::string out = "{";
    auto add = [&out](std::string_view key, const std::string& value_json) {
        if (out.size() > 1) out.push_back(',');
        out += json_string(key);
        out.push_back(':');
        out += value_json;
    };
    for (const Reading& r : b.readings) add(r.key, reading_value_json(r));
    for (const MissingRegister& m : b.missing) {
        if (m.reason == MissingReason::not_supported || b.find(m.key)) continue;
        add(m.key, "null");
    }
    add("read_at", json_string(utc_text(b.finished)));
    out.push_back('}');
    return {meter_state_topic(o, b.meter.serial), std::move(out), o.retain};
}

std::vector<MqttMessage> meter_attributes(const Options& o, const ReadingBatch& b) {
    std::vector<MqttMessage> out;
    for (const Reading& r : b.readings) {
        if (!present(r, o.form).attributes || r.quality == Quality::error) continue;
        const Decimal v = r.value.normalized();
        // An info code is an integer; anything else is not a code we can take apart.
        if (v.negative || v.exponent < 0 || v.exponent > 12) continue;
        std::uint64_t code = v.mantissa;
        for (int i = 0; i < v.exponent; ++i) code *= 10;
        out.push_back(
            {meter_attributes_topic(o, b.meter.serial, r.key), info_attributes_json(code, b.meter.model), o.retain});
    }
    return out;
}

MqttMessage meter_availability(const Options& o, const std::string& serial, bool online) {
    return {meter_availability_topic(o, serial), online ? "online" : "offline", true};  // like the LWT: always retained
}

}  // namespace kamgw::mqtt_ha
