#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>
#include <nlohmann/json.hpp>

#include "plugins/sink-mqtt-ha/info_codes.hpp"
#include "plugins/sink-mqtt-ha/state_payload.hpp"
#include "plugins/sink-mqtt-ha/tests/mc403_batch.hpp"

namespace kamgw::mqtt_ha {
namespace {

class ZoneGuard {
public:
    explicit ZoneGuard(const char* zone) {
        if (const char* old = std::getenv("TZ")) old_ = old;
        setenv("TZ", zone, 1);
        tzset();
    }
    ~ZoneGuard() {
        if (old_.empty())
            unsetenv("TZ");
        else
            setenv("TZ", old_.c_str(), 1);
        tzset();
    }

private:
    std::string old_;
};

Options options() {
    Options o;
    o.base_topic = "kamgw/gw";
    return o;
}

TEST(MqttHaState, ExactDecimalsAsJsonNumbers) {
    ZoneGuard utc("UTC");
    ReadingBatch b = test::mc403_batch();
    b.readings.push_back(test::make_reading(999, "r999", "x", Quantity::other, 191757, -2, Unit::GJ, {}));
    b.readings.push_back(test::make_reading(998, "r998", "y", Quantity::other, 150, -2, Unit::GJ, {}));
    const MqttMessage m = meter_state(options(), b);
    EXPECT_EQ(m.topic, "kamgw/gw/12345678/state");
    EXPECT_TRUE(m.retain);
    EXPECT_EQ(m.payload, R"({"heat_energy":1234.567,"volume":4321.12,"flow":512,"power":12.3,"t_forward":65.21,)"
                         R"("t_return":40.10,"t_diff":25.11,"hour_counter":51234,"info":0,)"
                         R"("max_flow_date_y":"2023-01-23T00:00:00+00:00","r999":1917.57,"r998":1.50,)"
                         R"("read_at":"2026-11-03T10:00:02Z"})");
    EXPECT_FALSE(nlohmann::json::parse(m.payload, nullptr, false).is_discarded());
}

TEST(MqttHaState, ErrorsAndUnansweredRegistersAreNull) {
    ZoneGuard utc("UTC");
    ReadingBatch b = test::mc403_batch();
    b.readings.resize(2);
    b.readings[1].quality = Quality::error;
    b.missing = {{80, "power", MissingReason::no_answer}, {63, "cooling_energy", MissingReason::not_supported}};
    const auto j = nlohmann::json::parse(meter_state(options(), b).payload);
    EXPECT_EQ(j["heat_energy"].dump(), "1234.567");
    EXPECT_TRUE(j["volume"].is_null());
    EXPECT_TRUE(j["power"].is_null());
    EXPECT_FALSE(j.contains("cooling_energy"));
}

TEST(MqttHaState, DatesAreLocalMidnight) {
    {
        ZoneGuard amsterdam("Europe/Amsterdam");
        EXPECT_EQ(local_midnight_iso(std::chrono::year(2023) / 1 / 23), "2023-01-23T00:00:00+01:00");
        EXPECT_EQ(local_midnight_iso(std::chrono::year(2023) / 7 / 1), "2023-07-01T00:00:00+02:00");
    }
    {
        ZoneGuard pacific("America/Los_Angeles");
        EXPECT_EQ(local_midnight_iso(std::chrono::year(2009) / 1 / 1), "2009-01-01T00:00:00-08:00");
    }
    ZoneGuard utc("UTC");
    ReadingBatch b = test::mc403_batch();
    b.readings.back().value = Decimal{0, 0, false};  // never set
    EXPECT_TRUE(nlohmann::json::parse(meter_state(options(), b).payload)["max_flow_date_y"].is_null());
    b.readings.back().value = Decimal{90101, 0, false};  // zero-padded: 2009-01-01
    EXPECT_EQ(nlohmann::json::parse(meter_state(options(), b).payload)["max_flow_date_y"], "2009-01-01T00:00:00+00:00");
}

TEST(MqttHaState, InfoCodeAttributesForMulticals403) {
    ReadingBatch b = test::mc403_batch();
    for (auto& r : b.readings)
        if (r.key == "info") r.value = Decimal{8 + 256 + 65536, 0, false};
    const auto messages = meter_attributes(options(), b);
    ASSERT_EQ(messages.size(), 1u);
    EXPECT_EQ(messages[0].topic, "kamgw/gw/12345678/info/attributes");
    const auto j = nlohmann::json::parse(messages[0].payload);
    EXPECT_EQ(j["code"], 8 + 256 + 65536);
    EXPECT_EQ(j["decoded"], true);
    EXPECT_EQ(j["t1_above_range"], true);
    EXPECT_EQ(j["v1_air"], true);
    EXPECT_EQ(j["t2_above_range"], false);
    EXPECT_EQ(j["unknown_bits"], 65536);
    EXPECT_EQ(j["active"].size(), 2u);
}

TEST(MqttHaState, InfoCodeLayoutsDifferPerModel) {
    const auto mc602 = nlohmann::json::parse(info_attributes_json(4, "MULTICAL 602"));
    EXPECT_EQ(mc602["t2_outside_range"], true);
    const auto mc403 = nlohmann::json::parse(info_attributes_json(4, "MULTICAL 403"));
    EXPECT_EQ(mc403["external_alarm"], true);
    // Unknown layout: only the raw code, no guessed meanings.
    const auto other = nlohmann::json::parse(info_attributes_json(4, "MULTICAL 21"));
    EXPECT_EQ(other["code"], 4);
    EXPECT_EQ(other["decoded"], false);
    EXPECT_EQ(other.size(), 2u);
}

TEST(MqttHaState, AvailabilityIsRetainedText) {
    const auto on = meter_availability(options(), "12345678", true);
    EXPECT_EQ(on.topic, "kamgw/gw/12345678/availability");
    EXPECT_EQ(on.payload, "online");
    EXPECT_TRUE(on.retain);
    EXPECT_EQ(meter_availability(options(), "12345678", false).payload, "offline");
}

}  // namespace
}  // namespace kamgw::mqtt_ha
