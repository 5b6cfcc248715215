// A MULTICAL 403 poll as the core hands it to sinks, with the catalogue's Home Assistant
// hints, for the mqtt-ha tests (unit and integration).
#pragma once

#include <chrono>
#include <string>

#include "kamgw/reading.hpp"

namespace kamgw::mqtt_ha::test {

inline Reading make_reading(std::uint16_t id, std::string key, std::string name, Quantity q, std::uint64_t mantissa,
                            std::int32_t exponent, Unit unit, HaHints hints) {
    Reading r;
    r.register_id = id;
    r.key = std::move(key);
    r.name = std::move(name);
    r.quantity = q;
    r.value = Decimal{mantissa, exponent, false};
    r.unit = unit;
    r.unit_code = static_cast<std::uint8_t>(unit);
    r.time = TimePoint(std::chrono::seconds(1793700000));
    r.ha = hints;
    return r;
}

// serial 12345678, model MULTICAL 403, firmware "C1", meter name "house".
inline ReadingBatch mc403_batch(std::string serial = "12345678") {
    using HDC = HaDeviceClass;
    using HSC = HaStateClass;
    ReadingBatch b;
    b.meter = MeterIdentity{"house", std::move(serial), "MULTICAL 403", "C1", 0};
    b.started = TimePoint(std::chrono::seconds(1793700000));
    b.finished = b.started + std::chrono::seconds(2);
    b.readings = {
        make_reading(60, "heat_energy", "Heat energy (E1)", Quantity::energy, 1234567, -3, Unit::GJ,
                     {HDC::energy, HSC::total_increasing, HaEntityCategory::none, -1, "mdi:radiator"}),
        make_reading(68, "volume", "Volume (V1)", Quantity::volume, 432112, -2, Unit::cubic_metre,
                     {HDC::volume, HSC::total_increasing, HaEntityCategory::none, -1, "mdi:water"}),
        make_reading(74, "flow", "Flow", Quantity::flow, 512, 0, Unit::litre_per_hour,
                     {HDC::volume_flow_rate, HSC::measurement, HaEntityCategory::none, -1, ""}),
        make_reading(80, "power", "Power", Quantity::power, 123, -1, Unit::kW,
                     {HDC::power, HSC::measurement, HaEntityCategory::none, -1, "mdi:flash"}),
        make_reading(86, "t_forward", "Forward temperature (T1)", Quantity::temperature, 6521, -2, Unit::celsius,
                     {HDC::temperature, HSC::measurement, HaEntityCategory::none, -1, "mdi:thermometer"}),
        make_reading(87, "t_return", "Return temperature (T2)", Quantity::temperature, 4010, -2, Unit::celsius,
                     {HDC::temperature, HSC::measurement, HaEntityCategory::none, -1, "mdi:thermometer"}),
        // The reference integration hints a temperature class here; the sink must drop it.
        make_reading(89, "t_diff", "Temperature difference", Quantity::temperature_difference, 2511, -2, Unit::kelvin,
                     {HDC::temperature, HSC::measurement, HaEntityCategory::none, -1, "mdi:thermometer"}),
        make_reading(1004, "hour_counter", "Operating hours", Quantity::duration, 51234, 0, Unit::hour,
                     {HDC::duration, HSC::total_increasing, HaEntityCategory::diagnostic, 0, "mdi:timer-sand"}),
        make_reading(99, "info", "Info code", Quantity::bit_field, 0, 0, Unit::number,
                     {HDC::none, HSC::measurement, HaEntityCategory::diagnostic, 0, "mdi:eye"}),
        make_reading(123, "max_flow_date_y", "Date of max flow this year", Quantity::date, 230123, 0, Unit::date_yymmdd,
                     {HDC::timestamp, HSC::none, HaEntityCategory::none, -1, ""}),
    };
    for (const auto& r : b.readings) b.requested.push_back(r.register_id);
    return b;
}

}  // namespace kamgw::mqtt_ha::test
