#include <gtest/gtest.h>

#include "plugins/sink-ha-websocket/sink_store.hpp"
#include "tests/support/temp_dir.hpp"

namespace {
using namespace kamgw;
using namespace kamgw::ha_websocket;

ReadingBatch batch(TimePoint t, const char* energy) {
    ReadingBatch b;
    b.meter = {"house", "12345678", "MULTICAL 403", "", 0};
    Reading r;
    r.key = "heat_energy";
    r.name = "Heat energy (E1)";
    r.quantity = Quantity::energy;
    r.value = *Decimal::parse(energy);
    r.unit = Unit::kWh;
    r.time = t;
    r.ha.device_class = HaDeviceClass::energy;
    r.ha.state_class = HaStateClass::total_increasing;
    b.readings.push_back(r);
    Reading flow = r;
    flow.key = "flow";
    flow.quantity = Quantity::flow;
    flow.unit = Unit::litre_per_hour;
    flow.ha.device_class = HaDeviceClass::volume_flow_rate;
    flow.ha.state_class = HaStateClass::measurement;
    b.readings.push_back(flow);
    return b;
}

TEST(SinkStore, JournalsCumulativeRegistersAndRestoresThem) {
    kamgw::test::TempDir dir;
    Options o;
    const TimePoint t = TimePoint(std::chrono::hours(24 * 19844 + 10)) + std::chrono::seconds(3);
    {
        SinkStore store(dir.path(), o);
        store.record(batch(t, "10.5"));
        store.record(batch(t + std::chrono::hours(1), "11.5"));
        const auto tracks = store.tracks();
        ASSERT_EQ(tracks.size(), 1u) << "flow is no cumulative register";
        EXPECT_EQ(tracks[0].meta.statistic_id, "kamstrup:12345678_heat_energy");
        EXPECT_EQ(tracks[0].meta.unit, "kWh");
        EXPECT_EQ(tracks[0].meta.unit_class, "energy");
        EXPECT_EQ(tracks[0].rows.size(), 2u);
    }
    SinkStore again(dir.path(), o);
    again.load();
    const auto tracks = again.tracks();
    ASSERT_EQ(tracks.size(), 1u);
    EXPECT_EQ(tracks[0].meta.name, "house Heat energy (E1) (12345678)");
    ASSERT_EQ(tracks[0].rows.size(), 2u);
    EXPECT_DOUBLE_EQ(tracks[0].rows[1].state, 11.5);
}

TEST(SinkStore, LatestStateWinsAndResyncMarksAll) {
    kamgw::test::TempDir dir;
    Options o;
    SinkStore store(dir.path(), o);
    const TimePoint t = TimePoint(std::chrono::hours(24 * 19844 + 10));
    store.record(batch(t, "10.5"));
    store.record(batch(t + std::chrono::minutes(1), "10.75"));
    auto dirty = store.take_dirty_states();
    ASSERT_EQ(dirty.size(), 2u);
    for (const auto& p : dirty)
        if (p.entity_id == "sensor.kamgw_12345678_heat_energy") {
            EXPECT_EQ(p.body["state"], "10.75");
        }
    EXPECT_TRUE(store.take_dirty_states().empty());
    store.record(batch(t + std::chrono::minutes(2), "10.75"));
    EXPECT_TRUE(store.take_dirty_states().empty()) << "an unchanged state is not sent again";
    store.mark_all_dirty();
    EXPECT_EQ(store.take_dirty_states().size(), 2u);
}

TEST(SinkStore, EventsAreBounded) {
    kamgw::test::TempDir dir;
    Options o;
    o.fire_events = true;
    SinkStore store(dir.path(), o);
    for (int i = 0; i < 1005; ++i) store.record(batch(TimePoint(std::chrono::hours(i)), "1"));
    EXPECT_EQ(store.status().events_dropped, 5u);
    int n = 0;
    while (store.take_event()) ++n;
    EXPECT_EQ(n, 1000);
}

}  // namespace
