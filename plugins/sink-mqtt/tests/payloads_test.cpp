#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "plugins/sink-mqtt/payloads.hpp"

namespace kamgw::plain_mqtt {
namespace {

Reading reading(std::uint16_t id, std::string key, std::uint64_t mantissa, std::int32_t exponent, Unit unit,
                Quality quality = Quality::ok) {
    Reading r;
    r.register_id = id;
    r.key = std::move(key);
    r.name = r.key;
    r.value = Decimal{mantissa, exponent, false};
    r.unit = unit;
    r.unit_code = static_cast<std::uint8_t>(unit);
    r.time = TimePoint(std::chrono::seconds(1793700000));
    r.quality = quality;
    return r;
}

ReadingBatch batch() {
    ReadingBatch b;
    b.meter = MeterIdentity{"house", "12345678", "MULTICAL 403", "C1", 0};
    b.started = TimePoint(std::chrono::seconds(1793700000));
    b.finished = b.started + std::chrono::seconds(2);
    b.readings = {reading(60, "heat_energy", 110740, -3, Unit::MWh),
                  reading(68, "volume", 432112, -2, Unit::cubic_metre),
                  reading(80, "power", 0, 0, Unit::kW, Quality::error)};
    b.missing = {{86, "t_forward", MissingReason::no_answer}};
    return b;
}

Options options(const std::string& payload) {
    ConfigTable t;
    t.set("url", std::string("mqtt://h"));
    t.set("payload", payload);
    return options_from_config(t, "gw", "mqtt");
}

TEST(PlainMqttPayloads, ValueIsTheExactDecimalPerRegisterAndErrorsAreLeftOut) {
    const auto m = poll_messages(options("value"), "gw", batch());
    ASSERT_EQ(m.size(), 2u);
    EXPECT_EQ(m[0].topic, "kamgw/gw/house/heat_energy");
    EXPECT_EQ(m[0].payload, "110.740");  // trailing zero kept: what the meter sent
    EXPECT_TRUE(m[0].retain);
    EXPECT_EQ(m[1].topic, "kamgw/gw/house/volume");
    EXPECT_EQ(m[1].payload, "4321.12");
}

TEST(PlainMqttPayloads, JsonIsTheObjectTheCliPrints) {
    const auto m = poll_messages(options("json"), "gw", batch());
    ASSERT_EQ(m.size(), 2u);
    EXPECT_EQ(m[0].payload,
              R"({"meter":"house","serial":"12345678","model":"MULTICAL 403","id":60,"key":"heat_energy",)"
              R"("name":"heat_energy","value":110.740,"unit":"MWh","unit_code":)" +
                  std::to_string(static_cast<int>(Unit::MWh)) +
                  R"(,"quantity":"other","quality":"ok","time":"2026-11-03T10:00:00Z"})");
}

TEST(PlainMqttPayloads, PollIsOneObjectWithEveryRegisterAndWhatIsMissing) {
    const auto m = poll_messages(options("poll"), "gw", batch());
    ASSERT_EQ(m.size(), 1u);
    EXPECT_EQ(m[0].topic, "kamgw/gw/house");
    const auto j = nlohmann::json::parse(m[0].payload);
    EXPECT_EQ(j["serial"], "12345678");
    EXPECT_EQ(j["time"], "2026-11-03T10:00:02Z");
    EXPECT_EQ(j["batch_id"], "12345678-1793700000000000000");
    ASSERT_EQ(j["readings"].size(), 3u);
    EXPECT_DOUBLE_EQ(j["readings"][1]["value"].get<double>(), 4321.12);
    EXPECT_EQ(j["readings"][2]["quality"], "error");
    ASSERT_EQ(j["missing"].size(), 1u);
    EXPECT_EQ(j["missing"][0]["key"], "t_forward");
    EXPECT_EQ(j["missing"][0]["reason"], "no_answer");
}

TEST(PlainMqttPayloads, RetainFollowsTheOption) {
    ConfigTable t;
    t.set("url", std::string("mqtt://h"));
    t.set("retain", false);
    const auto m = poll_messages(options_from_config(t, "gw", "mqtt"), "gw", batch());
    ASSERT_FALSE(m.empty());
    EXPECT_FALSE(m[0].retain);
}

}  // namespace
}  // namespace kamgw::plain_mqtt
