// The ha-websocket sink against the in-process fake Home Assistant: authentication, the first
// push of states and statistics, a Home Assistant restart with its backfill, and every row
// of the failure matrix.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <set>

#include "plugins/sink-ha-websocket/ha_websocket_sink.hpp"
#include "tests/fixtures/fake-home-assistant/fake_home_assistant.hpp"
#include "tests/integration/ha-websocket/ha_test_host.hpp"
#include "tests/support/network.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

using namespace kamgw;
using namespace kamgw::ha_websocket;
using namespace kamgw::ha_websocket::test;
using kamgw::test::FakeHaSettings;
using kamgw::test::FakeHomeAssistant;
using kamgw::test::TempDir;
using std::chrono::milliseconds;
using std::chrono::seconds;

const std::string heat_id = "kamstrup:12345678_heat_energy";
const std::string heat_entity = "sensor.kamgw_12345678_heat_energy";
constexpr milliseconds patience{20'000};

std::int64_t unix_of(TimePoint t) { return std::chrono::duration_cast<seconds>(t.time_since_epoch()).count(); }

// What write() must answer: `delivered` while Home Assistant is there, `kept` (retry: recorded,
// not yet accepted) while it is away, `either` around a restart, when it may come back during
// the writes.
enum class Expect { delivered, kept, either };

// Writes the polls of hours [from, to) the way an hourly schedule would (5 s past the hour),
// moving the clock along.
void write_hours(Sink& sink, ManualClock& clock, int from, int to, Expect expect = Expect::delivered) {
    for (int h = from; h < to; ++h) {
        const TimePoint t = hour_utc(h) + seconds(5);
        clock.set(t);
        const ReadingBatch batch = house_batch(t, h);
        const WriteResult result = sink.write({&batch, 1});
        if (expect == Expect::delivered) {
            ASSERT_EQ(result.code, WriteResult::Code::ok) << result.message;
        } else if (expect == Expect::kept) {
            ASSERT_EQ(result.code, WriteResult::Code::retry);
        }
        ASSERT_NE(result.code, WriteResult::Code::reject) << result.message;
    }
}

// Every hour imported, and how often, over all import calls of one statistic.
std::map<std::int64_t, int> import_counts(const FakeHomeAssistant& ha, const std::string& id) {
    std::map<std::int64_t, int> n;
    for (const auto& call : ha.imports())
        if (call.statistic_id == id)
            for (auto s : call.starts) ++n[s];
    return n;
}

struct Fixture {
    explicit Fixture(FakeHaSettings settings = {}) : ha(std::move(settings)) {}
    FakeHomeAssistant ha;
    TempDir dir;
    ManualClock clock{hour_utc(0)};
};

TEST(HaWebsocketSession, AuthenticatesPushesStatesAndImportsStatistics) {
    Fixture f;
    TestHost host(test_config(f.ha.url()), f.dir.path());
    HaWebsocketSink sink([&] { return f.clock.now(); });
    sink.start(host);
    write_hours(sink, f.clock, 1, 7);  // polls at 01:00:05 .. 06:00:05 close the rows 00:00 .. 05:00

    ASSERT_TRUE(idle_until(
        sink, [&] { return f.ha.statistics(heat_id).size() == 6 && f.ha.state_count() == 5; }, patience));
    const auto state = f.ha.state_of(heat_entity);
    ASSERT_TRUE(state);
    EXPECT_EQ((*state)["state"], house_batch(hour_utc(6), 6).readings[0].value.to_string());
    EXPECT_EQ((*state)["state"], "101.625");
    EXPECT_EQ((*state)["attributes"]["unit_of_measurement"], "GJ");
    EXPECT_EQ((*state)["attributes"]["device_class"], "energy");
    EXPECT_EQ((*state)["attributes"]["state_class"], "total_increasing");
    EXPECT_EQ((*state)["attributes"]["friendly_name"], "house Heat energy (E1)");
    EXPECT_EQ((*f.ha.state_of("sensor.kamgw_12345678_flow"))["attributes"]["unit_of_measurement"], "L/h");

    const auto rows = f.ha.statistics(heat_id);
    EXPECT_EQ(rows.begin()->first, unix_of(hour_utc(0)));
    EXPECT_EQ(rows.rbegin()->first, unix_of(hour_utc(5)));
    for (const auto& [start, row] : rows) {
        const int h = static_cast<int>((start - unix_of(hour_utc(0))) / 3600);
        EXPECT_EQ(start % 3600, 0);
        EXPECT_NEAR(row.state, heat_energy_at(h + 1), 1e-9) << "the row's state is the reading at the hour's end";
        EXPECT_NEAR(row.sum, heat_energy_at(h + 1) - heat_energy_at(1), 1e-9);
    }
    const auto imports = f.ha.imports();
    ASSERT_FALSE(imports.empty());
    EXPECT_EQ(imports.front().metadata["mean_type"], 0);
    EXPECT_EQ(imports.front().metadata["unit_class"], "energy");
    EXPECT_FALSE(imports.front().metadata.contains("has_mean"));
    EXPECT_EQ(f.ha.statistics("kamstrup:12345678_hour_counter").size(), 6u);
    EXPECT_EQ(f.ha.statistics("kamstrup:12345678_volume").size(), 6u);
    EXPECT_TRUE(f.ha.statistics("kamstrup:12345678_flow").empty()) << "a measurement is no cumulative register";

    const SinkStatus st = sink.status();
    EXPECT_EQ(st.health, LinkHealth::ok) << st.detail;
    EXPECT_EQ(st.ha_version, "2025.11.1");
    EXPECT_TRUE(f.ha.errors_sent().empty()) << f.ha.errors_sent().front().dump();
    EXPECT_GT(f.ha.array_frames_sent(), 0) << "coalesced frames were read";
    sink.stop();
}

TEST(HaWebsocketSession, UnfinishedHourIsNeverImported) {
    Fixture f;
    TestHost host(test_config(f.ha.url()), f.dir.path());
    HaWebsocketSink sink([&] { return f.clock.now(); });
    sink.start(host);
    write_hours(sink, f.clock, 1, 4);
    // A reading stamped ahead of the sink's clock (a meter clock running fast) closes an hour
    // that has not ended by "now": it waits. (The hour before, 03:00, ended at 04:00 between
    // two readings: interpolated and imported.)
    const ReadingBatch ahead = house_batch(hour_utc(5) + seconds(5), 5);
    f.clock.set(hour_utc(4) + seconds(10));
    ASSERT_EQ(sink.write({&ahead, 1}).code, WriteResult::Code::ok);
    ASSERT_TRUE(idle_until(
        sink, [&] { return f.ha.statistics(heat_id).size() == 4; }, patience));
    idle_until(
        sink, [] { return false; }, milliseconds(1500));
    EXPECT_EQ(f.ha.statistics(heat_id).count(unix_of(hour_utc(4))), 0u);
    f.clock.set(hour_utc(5) + seconds(6));
    const ReadingBatch next = house_batch(hour_utc(5) + seconds(6), 5);
    ASSERT_EQ(sink.write({&next, 1}).code, WriteResult::Code::ok);
    EXPECT_TRUE(idle_until(
        sink, [&] { return f.ha.statistics(heat_id).count(unix_of(hour_utc(4))) == 1; }, patience));
    sink.stop();
}

TEST(HaWebsocketSession, RestartPushesStatesAgainAndFillsTheGapOnce) {
    Fixture f;
    TestHost host(test_config(f.ha.url()), f.dir.path());
    HaWebsocketSink sink([&] { return f.clock.now(); });
    sink.start(host);
    write_hours(sink, f.clock, 1, 4);
    ASSERT_TRUE(idle_until(
        sink, [&] { return f.ha.statistics(heat_id).size() == 3 && f.ha.state_count() == 5; }, patience));

    f.ha.restart(milliseconds(1500));
    ASSERT_TRUE(idle_until(
        sink, [&] { return !sink.status().connected; }, patience));
    EXPECT_EQ(f.ha.state_count(), 0u) << "Home Assistant forgot the REST states";
    write_hours(sink, f.clock, 4, 28, Expect::either);  // a day passes while Home Assistant is away

    ASSERT_TRUE(idle_until(
        sink, [&] { return f.ha.statistics(heat_id).size() == 27 && f.ha.state_count() == 5; }, patience));
    EXPECT_EQ((*f.ha.state_of(heat_entity))["state"], house_batch(hour_utc(27), 27).readings[0].value.to_string());
    EXPECT_GE(sink.status().connects, 2u);

    // Each hour went to Home Assistant exactly once: the gap was filled from HA's resume
    // point, and nothing already stored was sent again.
    const auto counts = import_counts(f.ha, heat_id);
    EXPECT_EQ(counts.size(), 27u);
    for (const auto& [start, n] : counts) EXPECT_EQ(n, 1) << "hour " << start << " imported " << n << " times";
    // The hourly changes of the imported sums are the differences of the meter readings.
    const auto rows = f.ha.statistics(heat_id);
    for (auto it = std::next(rows.begin()); it != rows.end(); ++it) {
        const auto prev = std::prev(it);
        const int h = static_cast<int>((it->first - unix_of(hour_utc(0))) / 3600);
        EXPECT_NEAR(it->second.sum - prev->second.sum, heat_energy_at(h + 1) - heat_energy_at(h), 1e-6);
    }
    EXPECT_EQ(host.logger.count(heat_id + ": Home Assistant ends at 2024-05-01T02:00:00+00:00"), 1u);
    sink.stop();
}

TEST(HaWebsocketSession, IsBackWithinSecondsOfARestartedHomeAssistantWithTheDefaultTimings) {
    Fixture f;
    ConfigTable config = test_config(f.ha.url());
    config.set("reconnect_min", std::chrono::milliseconds(1000));  // the defaults, and
    config.set("reconnect_max", std::chrono::milliseconds(60'000));
    config.set("restart_probe_interval", std::chrono::milliseconds(2000));
    config.set("auth_fail_backoff", std::chrono::milliseconds(15 * 60'000));
    TestHost host(config, f.dir.path());
    HaWebsocketSink sink([&] { return f.clock.now(); });
    sink.start(host);
    write_hours(sink, f.clock, 1, 2);
    std::vector<double> back_after;
    for (int restart = 0; restart < 3; ++restart) {
        const auto connects = sink.status().connects;
        // An update's restart: down for longer than the old backoff needed to grow past 16 s.
        constexpr milliseconds down{20'000};
        const auto restarted = std::chrono::steady_clock::now();
        f.ha.restart(down);
        ASSERT_TRUE(idle_until(
            sink, [&] { return sink.status().connected && sink.status().connects > connects; }, milliseconds(40'000)));
        back_after.push_back(
            std::chrono::duration<double>(std::chrono::steady_clock::now() - restarted - down).count());
        EXPECT_LT(back_after.back(), 3.5) << "restart " << restart;
    }
    EXPECT_EQ(host.logger.count("trying again every 2 s for up to 10 min"), 3u);
    std::printf("[ha-websocket] connected again %.2f s, %.2f s, %.2f s after Home Assistant listened again\n",
                back_after[0], back_after[1], back_after[2]);
    sink.stop();
}

TEST(HaWebsocketSession, JournalSurvivesAGatewayRestartWhileHomeAssistantIsDown) {
    TempDir dir;
    ManualClock clock{hour_utc(0)};
    const std::uint16_t nobody = kamgw::test::free_port();
    {
        TestHost host(test_config("http://127.0.0.1:" + std::to_string(nobody)), dir.path());
        HaWebsocketSink sink([&] { return clock.now(); });
        sink.start(host);
        write_hours(sink, clock, 1, 11, Expect::kept);
        ASSERT_TRUE(idle_until(
            sink, [&] { return sink.status().health == LinkHealth::unreachable; }, patience));
        sink.stop();
    }
    FakeHomeAssistant ha;
    TestHost host(test_config(ha.url()), dir.path());
    HaWebsocketSink sink([&] { return clock.now(); });
    sink.start(host);
    ASSERT_TRUE(idle_until(
        sink, [&] { return ha.statistics(heat_id).size() == 10; }, patience));
    EXPECT_NEAR(ha.statistics(heat_id).rbegin()->second.sum, heat_energy_at(10) - heat_energy_at(1), 1e-9);
    sink.stop();
}

// write() says ok only for what Home Assistant holds: with Home Assistant away it answers
// retry (the core keeps the batch and counts the retry); the same batch handed over again
// once Home Assistant is back is delivered, and its event is fired once.
TEST(HaWebsocketSession, WriteAnswersRetryUntilHomeAssistantAcceptedTheReadings) {
    Fixture f;
    ConfigTable config = test_config(f.ha.url());
    config.set("fire_events", true);
    TestHost host(config, f.dir.path());
    HaWebsocketSink sink([&] { return f.clock.now(); });
    sink.start(host);
    write_hours(sink, f.clock, 1, 2);
    // ok means delivered: the states are in Home Assistant when write() returns.
    ASSERT_EQ(f.ha.state_count(), 5u);
    EXPECT_EQ((*f.ha.state_of(heat_entity))["state"], house_batch(hour_utc(1), 1).readings[0].value.to_string());

    f.ha.restart(milliseconds(3000));
    ASSERT_TRUE(idle_until(
        sink, [&] { return sink.status().health == LinkHealth::unreachable; }, patience));
    f.clock.set(hour_utc(2) + seconds(5));
    const ReadingBatch batch = house_batch(hour_utc(2) + seconds(5), 2);
    const auto asked = std::chrono::steady_clock::now();
    const WriteResult away = sink.write({&batch, 1});
    EXPECT_EQ(away.code, WriteResult::Code::retry);
    EXPECT_NE(away.message.find("Home Assistant has not accepted the readings yet"), std::string::npos) << away.message;
    EXPECT_LT(std::chrono::steady_clock::now() - asked, seconds(1)) << "known to be away: no waiting";

    ASSERT_TRUE(idle_until(
        sink, [&] { return sink.status().connected; }, patience));
    const WriteResult back = sink.write({&batch, 1});
    ASSERT_EQ(back.code, WriteResult::Code::ok) << back.message;
    EXPECT_EQ((*f.ha.state_of(heat_entity))["state"], batch.readings[0].value.to_string());
    const auto events = f.ha.fired_events();
    EXPECT_EQ(std::count(events.begin(), events.end(), "kamgw_reading"), 2) << "one event per poll, retries included";
    sink.stop();
}

TEST(HaWebsocketSession, RebasesOnHomeAssistantsSumWhenTheLocalOneDiffers) {
    TempDir dir;
    ManualClock clock{hour_utc(0)};
    {
        FakeHomeAssistant first;
        TestHost host(test_config(first.url()), dir.path());
        HaWebsocketSink sink([&] { return clock.now(); });
        sink.start(host);
        write_hours(sink, clock, 1, 4);
        ASSERT_TRUE(idle_until(
            sink, [&] { return first.statistics(heat_id).size() == 3; }, patience));
        sink.stop();
    }
    // Another Home Assistant (restored from a backup) whose sum for 02:00 is 500.
    FakeHomeAssistant second;
    second.seed_statistics(heat_id, {{unix_of(hour_utc(2)), heat_energy_at(3), 500.0}});
    TestHost host(test_config(second.url()), dir.path());
    HaWebsocketSink sink([&] { return clock.now(); });
    sink.start(host);
    write_hours(sink, clock, 4, 6);
    ASSERT_TRUE(idle_until(
        sink, [&] { return second.statistics(heat_id).size() == 3; }, patience));
    const auto rows = second.statistics(heat_id);
    EXPECT_NEAR(rows.at(unix_of(hour_utc(3))).sum, 500.0 + heat_energy_at(4) - heat_energy_at(3), 1e-9);
    EXPECT_NEAR(rows.at(unix_of(hour_utc(4))).sum, 500.0 + heat_energy_at(5) - heat_energy_at(3), 1e-9);
    EXPECT_EQ(sink.status().rebases, 1u);
    EXPECT_EQ(host.logger.count("rebasing on Home Assistant's sum"), 1u);
    sink.stop();
}

TEST(HaWebsocketSession, WrongTokenIsRetriedSlowlyWithAClearMessage) {
    Fixture f;
    TestHost host(test_config(f.ha.url(), "wrong-token"), f.dir.path());
    HaWebsocketSink sink([&] { return f.clock.now(); });
    sink.start(host);
    write_hours(sink, f.clock, 1, 2, Expect::kept);
    ASSERT_TRUE(idle_until(
        sink, [&] { return sink.status().health == LinkHealth::auth_failed; }, patience));
    idle_until(
        sink, [] { return false; }, milliseconds(4000));
    // auth_fail_backoff is 1.5 s here: a tight loop would have made hundreds of attempts.
    const auto attempts = f.ha.auth_attempts().size();
    EXPECT_GE(attempts, 2u);
    EXPECT_LE(attempts, 5u);
    EXPECT_EQ(sink.status().health, LinkHealth::auth_failed);
    EXPECT_GE(host.logger.count("Profile -> Security -> Long-lived access tokens"), 1u);
    EXPECT_EQ(f.ha.state_count(), 0u);
    sink.stop();
}

TEST(HaWebsocketSession, TokenFileIsReadAgainAfterARefusal) {
    Fixture f;
    const auto token_file = f.dir.write("token", "stale-token\n");
    ConfigTable config = test_config(f.ha.url(), "stale-token");
    config.set("token_file", token_file.string());
    TestHost host(config, f.dir.path() / "state");
    HaWebsocketSink sink([&] { return f.clock.now(); });
    sink.start(host);
    write_hours(sink, f.clock, 1, 2, Expect::kept);
    ASSERT_TRUE(idle_until(
        sink, [&] { return sink.status().auth_failures >= 1; }, patience));
    f.dir.write("token", "good-token\n");
    ASSERT_TRUE(idle_until(
        sink, [&] { return f.ha.state_count() == 5; }, patience));
    EXPECT_EQ(sink.status().health, LinkHealth::ok);
    sink.stop();
}

TEST(HaWebsocketSession, NonAdminTokenDisablesWhatNeedsAnAdmin) {
    FakeHaSettings settings;
    settings.admin = false;
    Fixture f(settings);
    TestHost host(test_config(f.ha.url()), f.dir.path());
    HaWebsocketSink sink([&] { return f.clock.now(); });
    sink.start(host);
    write_hours(sink, f.clock, 1, 3);
    ASSERT_TRUE(idle_until(
        sink, [&] { return sink.status().health == LinkHealth::degraded; }, patience));
    const SinkStatus st = sink.status();
    EXPECT_FALSE(st.is_admin);
    EXPECT_FALSE(st.states_enabled);
    EXPECT_FALSE(st.statistics_enabled);
    EXPECT_NE(st.detail.find("not an administrator"), std::string::npos);
    idle_until(
        sink, [] { return false; }, milliseconds(1500));
    EXPECT_EQ(host.logger.count("warn: the token's user is not an administrator"), 1u) << "warned once";
    EXPECT_TRUE(f.ha.imports().empty());
    EXPECT_EQ(sink.status().connects, 1u) << "no reconnect loop";
    sink.stop();
}

TEST(HaWebsocketSession, NoRecorderKeepsStatesAndTurnsStatisticsOff) {
    FakeHaSettings settings;
    settings.recorder = false;
    Fixture f(settings);
    TestHost host(test_config(f.ha.url()), f.dir.path());
    HaWebsocketSink sink([&] { return f.clock.now(); });
    sink.start(host);
    write_hours(sink, f.clock, 1, 3);
    ASSERT_TRUE(idle_until(
        sink, [&] { return f.ha.state_count() == 5; }, patience));
    const SinkStatus st = sink.status();
    EXPECT_EQ(st.health, LinkHealth::degraded);
    EXPECT_FALSE(st.statistics_enabled);
    EXPECT_NE(st.detail.find("no recorder"), std::string::npos) << st.detail;
    EXPECT_TRUE(f.ha.imports().empty());
    sink.stop();
}

struct VersionCase {
    std::string version;
    bool expect_mean_type;
    std::size_t expect_invalid_format;
    bool expect_types;  // the last statistics_during_period asked for the state and sum columns only
};

void PrintTo(const VersionCase& c, std::ostream* os) { *os << c.version; }

class HaWebsocketVersions : public ::testing::TestWithParam<VersionCase> {};

TEST_P(HaWebsocketVersions, MetadataFitsTheVersionAndBackfillWorks) {
    FakeHaSettings settings;
    settings.version = GetParam().version;
    Fixture f(settings);
    TestHost host(test_config(f.ha.url()), f.dir.path());
    HaWebsocketSink sink([&] { return f.clock.now(); });
    sink.start(host);
    write_hours(sink, f.clock, 1, 4);
    ASSERT_TRUE(idle_until(
        sink, [&] { return f.ha.statistics(heat_id).size() == 3; }, patience));
    f.ha.restart(milliseconds(300));
    ASSERT_TRUE(idle_until(
        sink, [&] { return !sink.status().connected; }, patience));
    write_hours(sink, f.clock, 4, 8, Expect::either);
    ASSERT_TRUE(idle_until(
        sink, [&] { return f.ha.statistics(heat_id).size() == 7; }, patience));
    for (const auto& call : f.ha.imports()) {
        EXPECT_EQ(call.metadata.contains("mean_type"), GetParam().expect_mean_type) << call.metadata.dump();
        EXPECT_EQ(call.metadata.contains("has_mean"), !GetParam().expect_mean_type) << call.metadata.dump();
    }
    std::size_t invalid_format = 0;
    for (const auto& e : f.ha.errors_sent()) invalid_format += e["error"]["code"] == "invalid_format";
    EXPECT_EQ(invalid_format, GetParam().expect_invalid_format);
    for (const auto& [start, n] : import_counts(f.ha, heat_id)) EXPECT_EQ(n, 1) << start;
    std::optional<bool> types;
    for (const auto& m : f.ha.received())
        if (m.value("type", "") == "recorder/statistics_during_period") types = m.contains("types");
    ASSERT_TRUE(types.has_value());
    EXPECT_EQ(*types, GetParam().expect_types);
    sink.stop();
}

INSTANTIATE_TEST_SUITE_P(Versions, HaWebsocketVersions,
                         ::testing::Values(VersionCase{"2025.11.1", true, 0, true},
                                           VersionCase{"2024.6.3", false, 0, true},
                                           VersionCase{"2022.12.0", false, 0, true},
                                           VersionCase{"2022.10.5", false, 0, false},
                                           // A version string the sink cannot read: it tries the newest
                                           // forms, is told `types` and the metadata keys are extra, and
                                           // falls back at once, on each of its two connections.
                                           VersionCase{"dev", false, 4, false}),
                         [](const auto& info) {
                             std::string n = info.param.version;
                             for (char& c : n)
                                 if (c == '.') c = '_';
                             return "v" + n;
                         });

TEST(HaWebsocketSession, MissingPongMeansReconnect) {
    Fixture f;
    ConfigTable config = test_config(f.ha.url());
    config.set("ping_interval", milliseconds(300));
    config.set("ping_timeout", milliseconds(500));
    TestHost host(config, f.dir.path());
    HaWebsocketSink sink([&] { return f.clock.now(); });
    sink.start(host);
    ASSERT_TRUE(idle_until(
        sink, [&] { return sink.status().connected; }, patience));
    f.ha.set_answer_pings(false);
    ASSERT_TRUE(idle_until(
        sink, [&] { return sink.status().pongs_missed >= 1; }, patience));
    f.ha.set_answer_pings(true);
    ASSERT_TRUE(idle_until(
        sink, [&] { return f.ha.authenticated_connections() >= 2 && sink.status().connected; }, patience));
    EXPECT_GE(host.logger.count("no pong within"), 1u);
    sink.stop();
}

TEST(HaWebsocketSession, AnswersServerPingFrames) {
    FakeHaSettings settings;
    settings.ping_frames = milliseconds(200);
    Fixture f(settings);
    ConfigTable config = test_config(f.ha.url());
    config.set("ping_interval", milliseconds(60'000));  // no application pings to keep it busy
    TestHost host(config, f.dir.path());
    HaWebsocketSink sink([&] { return f.clock.now(); });
    sink.start(host);
    ASSERT_TRUE(idle_until(
        sink, [&] { return sink.status().connected; }, patience));
    idle_until(
        sink, [] { return false; }, milliseconds(2500));
    EXPECT_TRUE(sink.status().connected);
    EXPECT_EQ(f.ha.authenticated_connections(), 1) << "the server did not have to drop a silent client";
    sink.stop();
}

TEST(HaWebsocketSession, WaitsForAStartingHomeAssistant) {
    FakeHaSettings settings;
    settings.state = "STARTING";
    settings.start_delay = milliseconds(1500);
    Fixture f(settings);
    TestHost host(test_config(f.ha.url()), f.dir.path());
    HaWebsocketSink sink([&] { return f.clock.now(); });
    sink.start(host);
    write_hours(sink, f.clock, 1, 3, Expect::kept);  // a starting Home Assistant takes nothing yet
    ASSERT_TRUE(idle_until(
        sink, [&] { return sink.status().health == LinkHealth::waiting_for_start; }, patience));
    EXPECT_EQ(f.ha.state_count(), 0u) << "nothing is pushed into a starting Home Assistant";
    ASSERT_TRUE(idle_until(
        sink, [&] { return f.ha.state_count() == 5; }, patience));
    EXPECT_EQ(sink.status().health, LinkHealth::ok);
    bool subscribed = false;
    for (const auto& m : f.ha.received())
        subscribed |= m.value("type", "") == "subscribe_events" && m.value("event_type", "") == "homeassistant_started";
    EXPECT_TRUE(subscribed);
    sink.stop();
}

TEST(HaWebsocketSession, IdsIncreaseStrictlyOnEveryConnection) {
    Fixture f;
    ConfigTable config = test_config(f.ha.url());
    config.set("fire_events", true);
    config.set("ping_interval", milliseconds(200));
    TestHost host(config, f.dir.path());
    HaWebsocketSink sink([&] { return f.clock.now(); });
    sink.start(host);
    write_hours(sink, f.clock, 1, 5);
    ASSERT_TRUE(idle_until(
        sink, [&] { return f.ha.fired_events().size() == 4; }, patience));
    f.ha.restart(milliseconds(200));
    ASSERT_TRUE(idle_until(
        sink, [&] { return f.ha.authenticated_connections() == 2; }, patience));
    idle_until(
        sink, [] { return false; }, milliseconds(1000));
    int previous = 0, runs = 0;
    for (const auto& m : f.ha.received()) {
        const int id = m.value("id", 0);
        if (id == 1) {
            ++runs;  // a new connection starts again at 1
        } else {
            EXPECT_EQ(id, previous + 1) << m.dump();
        }
        previous = id;
    }
    EXPECT_EQ(runs, 2);
    for (const auto& e : f.ha.errors_sent()) EXPECT_NE(e["error"]["code"], "id_reuse");
    EXPECT_EQ(f.ha.fired_events().front(), "kamgw_reading");
    sink.stop();
}

}  // namespace
