#include <gtest/gtest.h>

#include "plugins/sink-ha-websocket/ha_messages.hpp"

namespace {
using namespace kamgw;
using namespace kamgw::ha_websocket;

StatisticMeta heat_meta() { return {"kamstrup:1_heat_energy", "kamstrup", "house Heat energy (1)", "GJ", "energy"}; }

TEST(HaVersion, ParsesYearAndMonth) {
    EXPECT_TRUE(ha_release("2025.11.0").at_least({2025, 11}));
    EXPECT_TRUE(ha_release("2026.1.0.dev20251201").at_least({2025, 11}));
    EXPECT_FALSE(ha_release("2025.10.4").at_least({2025, 11}));
    EXPECT_FALSE(ha_release("2024.6.0b3").at_least({2025, 11}));
    EXPECT_FALSE(ha_release("dev").known());
    EXPECT_FALSE(ha_release("2024.13.0").known());
}

TEST(MetadataByVersion, NewKeysFrom2025_11) {
    EXPECT_EQ(metadata_schema_for(ha_release("2025.11.1")), MetadataSchema::mean_type);
    EXPECT_EQ(metadata_schema_for(ha_release("2025.10.0")), MetadataSchema::has_mean);
    EXPECT_EQ(metadata_schema_for(ha_release("2022.10.5")), MetadataSchema::has_mean);
    EXPECT_EQ(metadata_schema_for(ha_release("")), MetadataSchema::mean_type);

    const json modern = statistics_metadata(heat_meta(), MetadataSchema::mean_type);
    EXPECT_EQ(modern["mean_type"], 0);
    EXPECT_EQ(modern["unit_class"], "energy");
    EXPECT_FALSE(modern.contains("has_mean"));
    EXPECT_EQ(modern["has_sum"], true);
    EXPECT_EQ(modern["source"], "kamstrup");
    const json legacy = statistics_metadata(heat_meta(), MetadataSchema::has_mean);
    EXPECT_EQ(legacy["has_mean"], false);
    EXPECT_FALSE(legacy.contains("mean_type"));
    EXPECT_FALSE(legacy.contains("unit_class"));
    StatisticMeta none = heat_meta();
    none.unit_class.clear();
    EXPECT_TRUE(statistics_metadata(none, MetadataSchema::mean_type)["unit_class"].is_null());
}

TEST(MetadataByVersion, FallbackOnlyForTheKeysOfTheOtherForm) {
    EXPECT_EQ(schema_after_invalid_format(MetadataSchema::mean_type,
                                          "extra keys not allowed @ data['metadata']['mean_type']. Got 0"),
              MetadataSchema::has_mean);
    EXPECT_EQ(schema_after_invalid_format(MetadataSchema::has_mean,
                                          "required key not provided @ data['metadata']['has_mean']"),
              MetadataSchema::mean_type);
    EXPECT_FALSE(schema_after_invalid_format(MetadataSchema::mean_type, "extra keys not allowed @ data['bogus']"));
}

TEST(ImportMessage, RowsOnTheHourInUtc) {
    const std::vector<StatRow> rows = {{1714554000, 101.25, 1.25}, {1714557600, 101.5, 1.5}};
    const json m = import_statistics_command(heat_meta(), MetadataSchema::mean_type, rows);
    EXPECT_EQ(m["type"], "recorder/import_statistics");
    ASSERT_EQ(m["stats"].size(), 2u);
    EXPECT_EQ(m["stats"][0]["start"], "2024-05-01T09:00:00+00:00");
    EXPECT_EQ(m["stats"][1]["sum"], 1.5);
    EXPECT_EQ(m["stats"][1]["state"], 101.5);
    EXPECT_FALSE(m.contains("id")) << "the session numbers messages";
}

TEST(ResumePoints, LastRowPerStatisticInEitherTimeFormat) {
    const json modern = {{"kamstrup:a",
                          {{{"start", 1714554000000LL}, {"end", 1714557600000LL}, {"sum", 3.0}, {"state", 9.0}},
                           {{"start", 1714550400000LL}, {"sum", 2.0}, {"state", 8.0}}}}};
    const auto m = last_rows(modern);
    ASSERT_EQ(m.count("kamstrup:a"), 1u);
    EXPECT_EQ(m.at("kamstrup:a").start, 1714554000);
    EXPECT_EQ(m.at("kamstrup:a").sum, 3.0);
    const json old = {{"kamstrup:b", {{{"start", "2024-05-01T09:00:00+00:00"}, {"sum", 1.0}, {"state", 2.0}}}}};
    EXPECT_EQ(last_rows(old).at("kamstrup:b").start, 1714554000);
    EXPECT_TRUE(last_rows(json::object()).empty());
}

TEST(IsoTime, OffsetsAndFractions) {
    EXPECT_EQ(parse_iso_time("2024-05-01T10:00:00+01:00"), parse_iso_time("2024-05-01T09:00:00Z"));
    EXPECT_TRUE(parse_iso_time("2024-05-01T09:00:00.123456+00:00"));
    EXPECT_FALSE(parse_iso_time("2024-05-01T09:00:00")) << "naive";
    EXPECT_FALSE(parse_iso_time("2024-02-30T09:00:00Z"));
}

TEST(IsoTime, TimesTheClockCannotHoldAreNoTimes) {
    // Found by fuzzing: these overflowed the nanosecond arithmetic (undefined behaviour).
    EXPECT_FALSE(parse_iso_time("2327-12-01T00:00:00Z"));
    EXPECT_FALSE(parse_ha_time(json(1764664637200000.0)));
    EXPECT_FALSE(parse_ha_time(json(1e300)));
    EXPECT_TRUE(parse_iso_time("2200-12-31T23:59:59Z"));
    EXPECT_EQ(parse_ha_time(json(1714554000000.0)), parse_iso_time("2024-05-01T09:00:00Z"));
}

TEST(StatePush, OnlyCombinationsHomeAssistantAccepts) {
    MeterIdentity meter{"house", "12345678", "MULTICAL 403", "", 0};
    Reading r;
    r.key = "heat_energy";
    r.name = "Heat energy (E1)";
    r.value = *Decimal::parse("1234.560");
    r.unit = Unit::GJ;
    r.ha.device_class = HaDeviceClass::energy;
    r.ha.state_class = HaStateClass::total_increasing;
    StatePush p = state_push(meter, r);
    EXPECT_EQ(p.entity_id, "sensor.kamgw_12345678_heat_energy");
    EXPECT_EQ(p.body["state"], "1234.560");
    EXPECT_EQ(p.body["attributes"]["device_class"], "energy");
    EXPECT_EQ(p.body["attributes"]["unit_of_measurement"], "GJ");
    EXPECT_EQ(p.body["attributes"]["friendly_name"], "house Heat energy (E1)");

    r.unit = Unit::ton;  // a unit Home Assistant's energy class does not know: no device class
    p = state_push(meter, r);
    EXPECT_FALSE(p.body["attributes"].contains("device_class"));
    EXPECT_EQ(p.body["attributes"]["state_class"], "total_increasing");

    r.quality = Quality::error;
    EXPECT_EQ(state_push(meter, r).body["state"], "unavailable");
}

// The connected release decides: GJ joined the energy class in 2022.11, volume_flow_rate came
// in 2024.2 and took L/h in 2025.5 (sensor/const.py at those releases).
TEST(StatePush, FollowsTheConnectedRelease) {
    MeterIdentity meter{"house", "12345678", "MULTICAL 403", "", 0};
    Reading heat;
    heat.key = "heat_energy";
    heat.value = *Decimal::parse("1234.560");
    heat.unit = Unit::GJ;
    heat.ha.device_class = HaDeviceClass::energy;
    heat.ha.state_class = HaStateClass::total_increasing;
    EXPECT_FALSE(state_push(meter, heat, ha_release("2022.10.5")).body["attributes"].contains("device_class"));
    EXPECT_EQ(state_push(meter, heat, ha_release("2022.11.0")).body["attributes"]["device_class"], "energy");
    EXPECT_EQ(state_push(meter, heat, ha_release("2022.10.5")).body["attributes"]["unit_of_measurement"], "GJ");
    heat.unit = Unit::MWh;
    EXPECT_EQ(state_push(meter, heat, ha_release("2022.10.5")).body["attributes"]["device_class"], "energy");

    Reading flow;
    flow.key = "flow";
    flow.value = *Decimal::parse("95");
    flow.unit = Unit::litre_per_hour;
    flow.ha.device_class = HaDeviceClass::volume_flow_rate;
    flow.ha.state_class = HaStateClass::measurement;
    for (const char* old : {"2022.10.5", "2024.1.6", "2025.4.4"})
        EXPECT_FALSE(state_push(meter, flow, ha_release(old)).body["attributes"].contains("device_class")) << old;
    EXPECT_EQ(state_push(meter, flow, ha_release("2025.5.0")).body["attributes"]["device_class"], "volume_flow_rate");
    EXPECT_EQ(state_push(meter, flow, ha_release("dev")).body["attributes"]["device_class"], "volume_flow_rate")
        << "an unknown release gets the newest rules";
    EXPECT_EQ(state_push(meter, flow, ha_release("2024.1.6")).body["attributes"]["unit_of_measurement"], "L/h");
}

TEST(HaRelease, ReadsTheVersionString) {
    EXPECT_EQ(ha_release("2022.10.5").year, 2022);
    EXPECT_EQ(ha_release("2022.10.5").month, 10);
    EXPECT_EQ(ha_release("2025.11.0b3").month, 11);
    EXPECT_FALSE(ha_release("dev").known());
    EXPECT_FALSE(ha_release("2025.13.0").known());
    EXPECT_FALSE(ha_release("").known());
    EXPECT_FALSE(ha_release(std::string(100, '6') + ".1").known()) << "no overflow, no year";
    EXPECT_FALSE(ha_release("2025." + std::string(40, '1')).known());
    EXPECT_FALSE(ha_release("20251.1").known());
    EXPECT_TRUE(ha_release("2024.6.3").at_least({2024, 2}));
    EXPECT_FALSE(ha_release("2024.1.9").at_least({2024, 2}));
    EXPECT_TRUE(HaRelease{}.at_least({2099, 1}));
}

TEST(FireEvent, CarriesTheBatch) {
    ReadingBatch b;
    b.meter = {"house", "12345678", "MULTICAL 403", "", 0};
    Reading r;
    r.key = "volume";
    r.value = *Decimal::parse("12.5");
    r.unit = Unit::cubic_metre;
    b.readings.push_back(r);
    const json e = fire_event_command(b);
    EXPECT_EQ(e["type"], "fire_event");
    EXPECT_EQ(e["event_type"], "kamgw_reading");
    EXPECT_EQ(e["event_data"]["serial"], "12345678");
    EXPECT_EQ(e["event_data"]["values"]["volume"]["value"], 12.5);
}

}  // namespace
