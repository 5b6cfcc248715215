#include "tests/integration/ha-websocket/ha_test_host.hpp"

#include <cmath>
#include <cstdio>

namespace kamgw::ha_websocket::test {

TimePoint hour_utc(int hours) {
    return TimePoint(std::chrono::sys_days(std::chrono::year{2024} / 5 / 1)) + std::chrono::hours(hours);
}

double heat_energy_at(int hours) {
    // 100 GJ at the start, then 0.125 to 0.5 GJ per hour in a repeating pattern.
    double v = 100.0;
    for (int h = 0; h < hours; ++h) v += 0.125 * (1 + h % 4);
    return v;
}

namespace {

Decimal decimal_of(double v, int decimals) {
    Decimal d;
    d.mantissa = static_cast<std::uint64_t>(std::llround(std::abs(v) * std::pow(10.0, decimals)));
    d.exponent = -decimals;
    d.negative = v < 0;
    return d;
}

Reading make_reading(std::uint16_t id, const char* key, const char* name, Quantity q, double value, int decimals,
                     Unit unit, HaDeviceClass dc, HaStateClass sc, TimePoint time) {
    Reading r;
    r.register_id = id;
    r.key = key;
    r.name = name;
    r.quantity = q;
    r.value = decimal_of(value, decimals);
    r.unit = unit;
    r.unit_code = static_cast<std::uint8_t>(unit);
    r.time = time;
    r.ha.device_class = dc;
    r.ha.state_class = sc;
    return r;
}

}  // namespace

ReadingBatch house_batch(TimePoint time, int hours) {
    ReadingBatch b;
    b.meter.name = "house";
    b.meter.serial = "12345678";
    b.meter.model = "MULTICAL 403";
    b.started = time;
    b.finished = time;
    using DC = HaDeviceClass;
    using SC = HaStateClass;
    b.readings.push_back(make_reading(60, "heat_energy", "Heat energy (E1)", Quantity::energy, heat_energy_at(hours), 3,
                                      Unit::GJ, DC::energy, SC::total_increasing, time));
    b.readings.push_back(make_reading(68, "volume", "Volume (V1)", Quantity::volume, 2000.0 + hours * 0.05, 2,
                                      Unit::cubic_metre, DC::volume, SC::total_increasing, time));
    b.readings.push_back(make_reading(1004, "hour_counter", "Operating hours", Quantity::duration, 5000.0 + hours, 0,
                                      Unit::hour, DC::duration, SC::total_increasing, time));
    b.readings.push_back(make_reading(74, "flow", "Flow (V1)", Quantity::flow, 120.0 + hours % 7, 0,
                                      Unit::litre_per_hour, DC::volume_flow_rate, SC::measurement, time));
    b.readings.push_back(make_reading(86, "t_forward", "Forward temperature (T1)", Quantity::temperature,
                                      60.25 + hours % 3, 2, Unit::celsius, DC::temperature, SC::measurement, time));
    for (const Reading& r : b.readings) b.requested.push_back(r.register_id);
    return b;
}

ConfigTable test_config(const std::string& url, const std::string& token) {
    ConfigTable c;
    c.set("url", url);
    c.set("token", token);
    c.set("ping_interval", std::chrono::milliseconds(1000));
    c.set("ping_timeout", std::chrono::milliseconds(2000));
    c.set("request_timeout", std::chrono::milliseconds(10000));
    c.set("reconnect_min", std::chrono::milliseconds(100));
    c.set("reconnect_max", std::chrono::milliseconds(800));
    c.set("restart_probe_interval", std::chrono::milliseconds(200));
    c.set("auth_fail_backoff", std::chrono::milliseconds(1500));
    return c;
}

}  // namespace kamgw::ha_websocket::test
