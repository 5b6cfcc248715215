// What the status page stands on: the charts' bounded rings, the link-quality record, who may
// read the page, and the /api/status document.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/app/http_access.hpp"
#include "core/app/meter_history.hpp"
#include "core/app/status_api.hpp"
#include "core/kmp/register_catalogue.hpp"

namespace kamgw::app {
namespace {

using namespace std::chrono_literals;

const TimePoint day_start{std::chrono::seconds(1793700000)};

Reading power_reading(TimePoint time, std::uint64_t watts_times_ten) {
    Reading r;
    r.register_id = 80;
    r.key = "power";
    r.name = "Power";
    r.value = Decimal{watts_times_ten, -1, false};
    r.unit = Unit::kW;
    r.time = time;
    return r;
}

ReadingBatch batch_at(TimePoint time, std::uint64_t value) {
    ReadingBatch b;
    b.meter.name = "heat";
    b.started = b.finished = time;
    b.readings.push_back(power_reading(time, value));
    return b;
}

config::MeterConfig meter_reading(std::vector<std::string> keys, std::vector<std::string> chart = {}) {
    config::MeterConfig m;
    m.name = "heat";
    for (const auto& key : keys) m.registers.push_back({*kmp::resolve_register(key), {}});
    m.chart = std::move(chart);
    return m;
}

TEST(ChartRing, KeepsOnePointAMinuteAndNeverMoreThanADay) {
    ChartRing ring;
    // A meter read every second for two days: 172,800 readings.
    for (int s = 0; s < 2 * 86400; ++s) ring.add(day_start + std::chrono::seconds(s), s);
    EXPECT_EQ(ring.capacity(), 1440u);
    EXPECT_EQ(ring.size(), ring.capacity());
    EXPECT_EQ(ring.bytes(), ring.capacity() * sizeof(ChartPoint));
    const auto points = ring.since(day_start);
    ASSERT_EQ(points.size(), ring.capacity());
    // The newest minute's newest reading, and the oldest kept is exactly a day of minutes back.
    EXPECT_EQ(points.back().value, 2 * 86400 - 1);
    EXPECT_EQ(points.back().unix_seconds - points.front().unix_seconds, (ring.capacity() - 1) * 60);
    for (std::size_t i = 1; i < points.size(); ++i) ASSERT_GT(points[i].unix_seconds, points[i - 1].unix_seconds);
}

TEST(ChartRing, AFinerStepKeepsMorePointsOverTheSameWindow) {
    ChartRing ring(10s);
    EXPECT_EQ(ring.capacity(), 8640u);
    for (int s = 0; s < 60; ++s) ring.add(day_start + std::chrono::seconds(s), s);
    EXPECT_EQ(ring.size(), 6u);
}

TEST(ChartRing, LeavesOutWhatIsOlderThanAsked) {
    ChartRing ring;
    for (int m = 0; m < 10; ++m) ring.add(day_start + std::chrono::minutes(m), m);
    const auto points = ring.since(day_start + 5min);
    ASSERT_EQ(points.size(), 5u);
    EXPECT_EQ(points.front().value, 5);
}

TEST(ChartRing, AClockThatWentBackStartsItOver) {
    ChartRing ring;
    ring.add(day_start + 10min, 1);
    ring.add(day_start + 11min, 2);
    ring.add(day_start, 3);
    const auto points = ring.since(day_start - 1h);
    ASSERT_EQ(points.size(), 1u);
    EXPECT_EQ(points.front().value, 3);
}

TEST(MeterHistory, ChartsPowerAndFlowWhenReadAndWhatTheMeterNames) {
    MeterHistory history;
    history.configure({meter_reading({"heat_energy", "power", "t_forward"}, {"t_forward"})});
    history.record("heat", batch_at(day_start, 123));
    const auto s = history.snapshot("heat", day_start + 1min);
    ASSERT_EQ(s.charts.size(), 2u);  // power (read) and t_forward (asked for); flow is not read
    EXPECT_EQ(s.charts[0].key, "power");
    EXPECT_EQ(s.charts[0].unit, "kW");
    ASSERT_EQ(s.charts[0].points.size(), 1u);
    EXPECT_FLOAT_EQ(s.charts[0].points[0].value, 12.3f);
    EXPECT_EQ(s.charts[1].key, "t_forward");
    EXPECT_TRUE(s.charts[1].points.empty());
    ASSERT_EQ(s.latest.count("power"), 1u);
    // A day later the point has left the window.
    EXPECT_TRUE(history.snapshot("heat", day_start + 25h).charts[0].points.empty());
}

TEST(MeterHistory, AReloadKeepsTheHistoryOfMetersThatStay) {
    MeterHistory history;
    history.configure({meter_reading({"power"})});
    history.record("heat", batch_at(day_start, 10));
    history.configure({meter_reading({"power"})});
    EXPECT_EQ(history.snapshot("heat", day_start).charts[0].points.size(), 1u);
    auto other = meter_reading({"power"});
    other.name = "other";
    history.configure({other});
    EXPECT_TRUE(history.snapshot("heat", day_start).charts.empty());
    history.record("heat", batch_at(day_start, 10));  // a meter no longer configured: ignored
    EXPECT_EQ(history.bytes("heat"), 0u);
}

TEST(MeterHistory, LinkQualityCountsEachPollsRequestsAndAnswers) {
    MeterHistory history;
    history.configure({meter_reading({"power"})});
    MeterStatus status;
    status.health = MeterHealth::ok;
    for (int poll = 1; poll <= 40; ++poll) {
        status.time = day_start + std::chrono::minutes(poll);
        status.counters.requests += 3;
        status.counters.responses += poll % 10 == 0 ? 1 : 3;
        history.record("heat", status);
    }
    const auto polls = history.snapshot("heat", day_start).polls;
    ASSERT_EQ(polls.size(), MeterHistory::polls_kept);
    EXPECT_EQ(polls.front().time, day_start + 11min);  // oldest first
    EXPECT_EQ(polls.back().time, day_start + 40min);
    EXPECT_EQ(polls.back().requests, 3u);
    EXPECT_EQ(polls.back().answered, 1u);
    // A status without requests (the link lost while idle) is no poll.
    history.record("heat", status);
    EXPECT_EQ(history.snapshot("heat", day_start).polls.back().time, day_start + 40min);
}

TEST(MeterHistory, MemoryPerMeterIsBoundedByTheRings) {
    MeterHistory history;
    history.configure({meter_reading({"power", "flow"})});
    for (int s = 0; s < 86400 * 2; s += 10) {
        ReadingBatch b = batch_at(day_start + std::chrono::seconds(s), 10);
        Reading flow = power_reading(b.started, 5);
        flow.key = "flow";
        flow.register_id = 74;
        b.readings.push_back(flow);
        history.record("heat", b);
    }
    const std::size_t two_rings = 2 * ChartRing().capacity() * sizeof(ChartPoint);
    EXPECT_GE(history.bytes("heat"), two_rings);
    EXPECT_LT(history.bytes("heat"), two_rings + 8 * 1024);
}

TEST(HttpAccess, WithoutATokenEveryoneMayRead) { EXPECT_TRUE(request_authorized("", "")); }

TEST(HttpAccess, BearerAndBasicWithTheTokenAsPassword) {
    const std::string token = "s3cret-token";
    EXPECT_TRUE(request_authorized("Bearer s3cret-token", token));
    EXPECT_TRUE(request_authorized("bearer  s3cret-token ", token));
    EXPECT_FALSE(request_authorized("Bearer s3cret-tokeN", token));
    EXPECT_FALSE(request_authorized("Bearer s3cret-token2", token));
    EXPECT_FALSE(request_authorized("", token));
    EXPECT_FALSE(request_authorized("Bearer", token));
    // "anyone:s3cret-token", "kamgw:s3cret-token" (padding "="), "x:s3cret-token" (padding "==")
    EXPECT_TRUE(request_authorized("Basic YW55b25lOnMzY3JldC10b2tlbg==", token));
    EXPECT_TRUE(request_authorized("Basic a2FtZ3c6czNjcmV0LXRva2Vu", token));
    EXPECT_TRUE(request_authorized("Basic eDpzM2NyZXQtdG9rZW4=", token));
    EXPECT_FALSE(request_authorized("Basic czNjcmV0LXRva2Vu", token));  // no user: no colon
    EXPECT_FALSE(request_authorized("Basic eDp3cm9uZw==", token));      // x:wrong
    EXPECT_FALSE(request_authorized("Basic !!!!", token));
    EXPECT_FALSE(request_authorized("Digest s3cret-token", token));
}

TEST(HttpAccess, LoopbackAddresses) {
    EXPECT_TRUE(listen_is_loopback("127.0.0.1:9780"));
    EXPECT_TRUE(listen_is_loopback("127.1.2.3:1"));
    EXPECT_TRUE(listen_is_loopback("[::1]:9780"));
    EXPECT_TRUE(listen_is_loopback("localhost:9780"));
    EXPECT_FALSE(listen_is_loopback("0.0.0.0:9780"));
    EXPECT_FALSE(listen_is_loopback("[::]:9780"));
    EXPECT_FALSE(listen_is_loopback("192.168.1.5:9780"));
}

TEST(StatusApi, ThinningKeepsTheShapeInMeansOfEqualShares) {
    std::vector<ChartPoint> points;
    for (std::uint32_t i = 0; i < 1440; ++i) points.push_back({1000 + 60 * i, static_cast<float>(i % 2 ? 10 : 20)});
    const auto thin = thin_points(points, 360);
    ASSERT_EQ(thin.size(), 360u);
    EXPECT_FLOAT_EQ(thin.front().value, 15);                          // the mean of 20, 10, 20, 10
    EXPECT_EQ(thin.back().unix_seconds, points.back().unix_seconds);  // the newest point's time
    EXPECT_EQ(thin_points(points, 2000).size(), 1440u);
    EXPECT_TRUE(thin_points(points, 0).empty());
    const std::vector<ChartPoint> three = {{1, 1}, {2, 2}, {3, 3}};
    const auto two = thin_points(three, 2);
    ASSERT_EQ(two.size(), 2u);
    EXPECT_FLOAT_EQ(two[0].value, 1);
    EXPECT_FLOAT_EQ(two[1].value, 2.5f);
}

TEST(StatusApi, TheDocumentCarriesWhatThePageShows) {
    MeterHistory history;
    history.configure({meter_reading({"power", "t_forward"})});
    history.record("heat", batch_at(day_start, 123));
    ReadingBatch lacking = batch_at(day_start + 2min, 124);
    lacking.missing.push_back({86, "t_forward", MissingReason::no_answer});
    history.record("heat", lacking);

    StatusMeter m;
    m.meter.name = "heat";
    m.meter.identity = {"heat", "12345678", "MULTICAL 403", "K1", 0};
    m.meter.health = MeterHealth::ok;
    m.interval = 60s;
    m.last_poll = day_start + 2min;
    m.next_poll = day_start + 3min;
    m.register_keys = {"power", "t_forward"};
    m.history = history.snapshot("heat", day_start + 150s);
    bus::LaneStats lane;
    lane.name = "csv";
    lane.type = "csv";
    lane.state = bus::LaneState::running;
    GatewaySnapshot snapshot;
    snapshot.now = day_start + 150s;
    StatusGateway gateway{"gw", "0.1.0", "/etc/kamgw/kamgw.toml", day_start, false, 60s, 60s};

    const auto doc = nlohmann::json::parse(render_status(gateway, {m}, {lane}, snapshot));
    EXPECT_EQ(doc["schema"], status_schema_version);
    EXPECT_EQ(doc["gateway"]["uptime_seconds"], 150);
    EXPECT_EQ(doc["gateway"]["status"], "ok");
    const auto& meter = doc["meters"][0];
    EXPECT_EQ(meter["serial"], "12345678");
    EXPECT_EQ(meter["last_poll"], "2026-11-03T10:02:00Z");
    EXPECT_EQ(meter["readings"][0]["text"], "12.4");
    EXPECT_EQ(meter["readings"][0]["unit"], "kW");
    EXPECT_EQ(meter["missing"][0]["key"], "t_forward");
    EXPECT_EQ(meter["missing"][0]["reason"], "no_answer");
    ASSERT_EQ(meter["charts"][0]["points"].size(), 2u);
    EXPECT_EQ(meter["charts"][0]["points"][1][1].dump(), "12.4");  // a float as its shortest text
    EXPECT_EQ(doc["sinks"][0]["state"], "running");
    EXPECT_TRUE(doc["journal"].is_null());
}

}  // namespace
}  // namespace kamgw::app
