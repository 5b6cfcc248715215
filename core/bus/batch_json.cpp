#include "core/bus/batch_json.hpp"

#include <mutex>
#include <nlohmann/json.hpp>
#include <set>

#include "core/bus/time_ns.hpp"

namespace kamgw::bus {
namespace {

using nlohmann::json;

// HaHints::icon is a string_view into the register catalogue. A batch read back from disk
// needs text that lives as long as the process; the handful of distinct icons is kept here.
std::string_view intern(const std::string& text) {
    if (text.empty()) return {};
    static std::mutex mutex;
    static std::set<std::string, std::less<>> pool;
    std::lock_guard lock(mutex);
    return *pool.insert(text).first;
}

json identity_json(const MeterIdentity& m) {
    return {
        {"name", m.name}, {"serial", m.serial}, {"model", m.model}, {"firmware", m.firmware}, {"type", m.meter_type}};
}

MeterIdentity identity_from(const json& j) {
    MeterIdentity m;
    m.name = j.at("name").get<std::string>();
    m.serial = j.at("serial").get<std::string>();
    m.model = j.at("model").get<std::string>();
    m.firmware = j.at("firmware").get<std::string>();
    m.meter_type = j.at("type").get<std::uint16_t>();
    return m;
}

json reading_json(const Reading& r) {
    return {{"id", r.register_id},
            {"key", r.key},
            {"name", r.name},
            {"q", static_cast<int>(r.quantity)},
            {"m", r.value.mantissa},
            {"e", r.value.exponent},
            {"neg", r.value.negative},
            {"unit", static_cast<int>(r.unit)},
            {"unit_code", r.unit_code},
            {"t", to_ns(r.time)},
            {"quality", static_cast<int>(r.quality)},
            {"ha",
             {static_cast<int>(r.ha.device_class), static_cast<int>(r.ha.state_class),
              static_cast<int>(r.ha.entity_category), r.ha.display_precision, std::string(r.ha.icon)}}};
}

Reading reading_from(const json& j) {
    Reading r;
    r.register_id = j.at("id").get<std::uint16_t>();
    r.key = j.at("key").get<std::string>();
    r.name = j.at("name").get<std::string>();
    r.quantity = static_cast<Quantity>(j.at("q").get<std::uint8_t>());
    r.value.mantissa = j.at("m").get<std::uint64_t>();
    r.value.exponent = j.at("e").get<std::int32_t>();
    r.value.negative = j.at("neg").get<bool>();
    r.unit = static_cast<Unit>(j.at("unit").get<std::uint8_t>());
    r.unit_code = j.at("unit_code").get<std::uint8_t>();
    r.time = from_ns(j.at("t").get<std::int64_t>());
    r.quality = static_cast<Quality>(j.at("quality").get<std::uint8_t>());
    const json& ha = j.at("ha");
    r.ha.device_class = static_cast<HaDeviceClass>(ha.at(0).get<std::uint8_t>());
    r.ha.state_class = static_cast<HaStateClass>(ha.at(1).get<std::uint8_t>());
    r.ha.entity_category = static_cast<HaEntityCategory>(ha.at(2).get<std::uint8_t>());
    r.ha.display_precision = ha.at(3).get<std::int8_t>();
    r.ha.icon = intern(ha.at(4).get<std::string>());
    return r;
}

}  // namespace

std::string batch_to_json_line(const ReadingBatch& b) {
    json readings = json::array(), missing = json::array();
    for (const Reading& r : b.readings) readings.push_back(reading_json(r));
    for (const MissingRegister& m : b.missing)
        missing.push_back({{"id", m.register_id}, {"key", m.key}, {"reason", static_cast<int>(m.reason)}});
    const json j = {{"v", batch_json_version},       {"meter", identity_json(b.meter)},
                    {"started", to_ns(b.started)},   {"finished", to_ns(b.finished)},
                    {"requested", b.requested},      {"readings", std::move(readings)},
                    {"missing", std::move(missing)}, {"on_demand", b.on_demand}};
    // Invalid UTF-8 in a meter's text must not make the batch impossible to journal.
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::optional<ReadingBatch> batch_from_json_line(std::string_view line) {
    const json j = json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return std::nullopt;
    try {
        if (j.at("v").get<int>() != batch_json_version) return std::nullopt;
        ReadingBatch b;
        b.meter = identity_from(j.at("meter"));
        b.started = from_ns(j.at("started").get<std::int64_t>());
        b.finished = from_ns(j.at("finished").get<std::int64_t>());
        b.requested = j.at("requested").get<std::vector<std::uint16_t>>();
        for (const json& r : j.at("readings")) b.readings.push_back(reading_from(r));
        for (const json& m : j.at("missing"))
            b.missing.push_back({m.at("id").get<std::uint16_t>(), m.at("key").get<std::string>(),
                                 static_cast<MissingReason>(m.at("reason").get<std::uint8_t>())});
        b.on_demand = j.at("on_demand").get<bool>();
        return b;
    } catch (const json::exception&) {
        return std::nullopt;
    }
}

}  // namespace kamgw::bus
