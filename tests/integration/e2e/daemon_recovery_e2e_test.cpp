// `kamgw run` reading one simulated meter every 2 s through ser2net into a CSV file, while the
// world misbehaves: ser2net is SIGKILLed and comes back ~5 s later, or the meter freezes. The
// daemon is never restarted; readings must resume on their own, and the meter's health (seen on
// /health and in the log) must say what happened in between.
#include <gtest/gtest.h>

#include <cstdio>
#include <thread>

#include "tests/integration/e2e/e2e_harness.hpp"

namespace kamgw::test::e2e {
namespace {

constexpr auto kFirstRowDeadline = 60s;
// Reconnects back off (full jitter, 1 s doubling); after ~5 s down the next attempt is due in at
// most ~16 s, and the 2 s schedule also retries. 60 s is far beyond both, even on a loaded machine.
constexpr auto kRecoveryBound = 60s;

// Polls /health and remembers every distinct health the meter went through, in order.
class HealthTrail {
public:
    HealthTrail(const Daemon& daemon, std::string meter) : daemon_(daemon), meter_(std::move(meter)) {}

    // Polls until the meter shows `wanted` (true) or the deadline passes (false).
    bool wait_for(const std::string& wanted, std::chrono::milliseconds timeout) {
        return wait_until(
            [&] {
                sample();
                return !trail_.empty() && trail_.back() == wanted;
            },
            timeout);
    }
    void sample() {
        const auto health = daemon_.health();
        const auto it = health.find(meter_);
        if (it == health.end()) return;
        if (trail_.empty() || trail_.back() != it->second) trail_.push_back(it->second);
    }
    [[nodiscard]] std::string text() const {
        std::string s;
        for (const auto& h : trail_) s += (s.empty() ? "" : " -> ") + h;
        return s;
    }
    // True if `first` shows up and `then` after it.
    [[nodiscard]] bool saw_in_order(const std::string& first, const std::string& then) const {
        const auto a = std::find(trail_.begin(), trail_.end(), first);
        return a != trail_.end() && std::find(a + 1, trail_.end(), then) != trail_.end();
    }

private:
    const Daemon& daemon_;
    std::string meter_;
    std::vector<std::string> trail_;
};

// Position of `needle` in the log after `from`, or npos.
std::size_t log_find(const std::string& log, const std::string& needle, std::size_t from = 0) {
    return log.find(needle, from);
}

std::string everything(Daemon& daemon, const SimMeter& meter, const Ser2net* bridge) {
    return "--- kamgw:\n" + daemon.log() + "\n--- sim:\n" + meter.log() +
           (bridge ? "\n--- ser2net:\n" + bridge->log() : std::string());
}

// Waits for the CSV file to grow past `rows` rows; returns the moment it did, if it did.
std::optional<SteadyTime> wait_for_rows_beyond(const Daemon& daemon, std::size_t rows,
                                               std::chrono::milliseconds timeout) {
    if (!wait_until([&] { return count_csv_rows(daemon.csv()) > rows; }, timeout)) return std::nullopt;
    return std::chrono::steady_clock::now();
}

void ser2net_killed_and_restarted(BridgeMode mode, std::uint32_t serial) {
    TempDir dir;
    SimMeter meter(dir, {.serial = serial, .strict_line = true});
    Ser2net bridge(dir, meter.link(), mode, mode == BridgeMode::rfc2217 ? "9600n81" : "1200n82");
    const std::string scheme = mode == BridgeMode::rfc2217 ? "rfc2217" : "socket";
    const auto started = std::chrono::steady_clock::now();
    Daemon daemon(dir, {{.name = "house",
                         .url = scheme + "://127.0.0.1:" + std::to_string(bridge.port()),
                         .interval = "2s",
                         .registers = {"heat_energy", "volume"}}});
    HealthTrail trail(daemon, "house");

    // Three polls (two rows each) take at least two intervals: a schedule that reads back to
    // back would get there far sooner.
    ASSERT_TRUE(wait_for_rows_beyond(daemon, 5, kFirstRowDeadline)) << everything(daemon, meter, &bridge);
    EXPECT_GE(seconds_between(started, std::chrono::steady_clock::now()), 3.5) << "three 2 s polls came too fast:\n"
                                                                               << read_file(daemon.csv());
    for (const auto& row : read_csv_rows(daemon.csv())) {
        EXPECT_EQ(row["serial"], std::to_string(serial));
        EXPECT_EQ(row["quality"], "ok");
    }
    ASSERT_TRUE(trail.wait_for("ok", 10s)) << trail.text();

    bridge.kill_hard();
    ASSERT_TRUE(trail.wait_for("link_down", 30s)) << trail.text() << '\n' << everything(daemon, meter, nullptr);
    // The outage: the bridge stays away ~5 s (the scenario, not a measurement).
    std::this_thread::sleep_for(5s);
    const std::size_t rows_before = count_csv_rows(daemon.csv());
    bridge.start();
    const auto restarted = std::chrono::steady_clock::now();

    const auto resumed = wait_for_rows_beyond(daemon, rows_before, kRecoveryBound + 30s);
    ASSERT_TRUE(resumed) << "no reading within " << (kRecoveryBound + 30s).count() << " s of ser2net's restart\n"
                         << everything(daemon, meter, &bridge);
    const double recovery = seconds_between(restarted, *resumed);
    std::printf("[ e2e ] %s: recovery from ser2net restart to the next CSV row: %.2f s\n", scheme.c_str(), recovery);
    std::fflush(stdout);
    testing::Test::RecordProperty("recovery_ms", static_cast<int>(recovery * 1000));
    EXPECT_LT(recovery, std::chrono::duration<double>(kRecoveryBound).count());

    ASSERT_TRUE(trail.wait_for("ok", 30s)) << trail.text();
    EXPECT_TRUE(trail.saw_in_order("link_down", "ok")) << trail.text();
    EXPECT_TRUE(daemon.running()) << "kamgw must ride out the outage without a restart";
    // Every attempt to get the link back counts, the failed ones while ser2net was away too.
    const std::uint64_t reconnects = daemon.meter_counter("house", "reconnects");
    std::printf("[ e2e ] %s: %llu reconnects counted\n", scheme.c_str(), static_cast<unsigned long long>(reconnects));
    EXPECT_GE(reconnects, 2u);

    const std::string log = daemon.log();
    const auto down = log_find(log, "is down");
    ASSERT_NE(down, std::string::npos) << log;
    EXPECT_NE(log_find(log, "meter house: ok", down), std::string::npos) << "no 'ok' after the link came back:\n"
                                                                         << log;
    // The rows after the outage come from the same meter, with good values.
    const auto rows = read_csv_rows(daemon.csv());
    ASSERT_GT(rows.size(), rows_before);
    for (std::size_t i = rows_before; i < rows.size(); ++i) {
        EXPECT_EQ(rows[i]["serial"], std::to_string(serial));
        EXPECT_EQ(rows[i]["quality"], "ok");
        EXPECT_NO_THROW((void)std::stod(rows[i]["value"])) << rows[i]["value"];
    }
    if (mode == BridgeMode::rfc2217) {
        // Each reconnection negotiated the line again (ser2net's own default is 9600 8N1).
        EXPECT_EQ(meter.log().find("ignored: the line is not"), std::string::npos) << meter.log();
    }
    EXPECT_EQ(daemon.stop() & 0x7f, 0) << "kamgw did not exit cleanly on SIGTERM";
}

TEST(DaemonRecovery, ReadingsResumeAfterRawSer2netIsKilledAndRestarted) {
    ser2net_killed_and_restarted(BridgeMode::raw, 62000001);
}

TEST(DaemonRecovery, ReadingsResumeAfterRfc2217Ser2netIsKilledAndRestarted) {
    ser2net_killed_and_restarted(BridgeMode::rfc2217, 62000002);
}

TEST(DaemonRecovery, AFrozenMeterIsReportedAsNoAnswerAndReadAgainWhenItWakes) {
    TempDir dir;
    SimMeter meter(dir, {.serial = 62000003});
    Ser2net bridge(dir, meter.link(), BridgeMode::raw);
    Daemon daemon(dir, {{.name = "house",
                         .url = "socket://127.0.0.1:" + std::to_string(bridge.port()),
                         .interval = "2s",
                         .registers = {"heat_energy", "volume"}}});
    HealthTrail trail(daemon, "house");
    ASSERT_TRUE(wait_for_rows_beyond(daemon, 1, kFirstRowDeadline)) << everything(daemon, meter, &bridge);
    ASSERT_TRUE(trail.wait_for("ok", 10s)) << trail.text();

    meter.freeze();  // the link stays up (ser2net holds the pty), only the meter falls silent
    const bool silent_seen = trail.wait_for("no_answer", 60s);
    const std::size_t rows_before = count_csv_rows(daemon.csv());
    meter.thaw();
    ASSERT_TRUE(silent_seen) << trail.text() << '\n' << everything(daemon, meter, &bridge);
    const auto thawed = std::chrono::steady_clock::now();

    const auto resumed = wait_for_rows_beyond(daemon, rows_before, 60s);
    ASSERT_TRUE(resumed) << everything(daemon, meter, &bridge);
    std::printf("[ e2e ] frozen meter: from thaw to the next CSV row: %.2f s\n", seconds_between(thawed, *resumed));
    std::fflush(stdout);
    ASSERT_TRUE(trail.wait_for("ok", 30s)) << trail.text();
    EXPECT_TRUE(trail.saw_in_order("no_answer", "ok")) << trail.text();
    EXPECT_TRUE(daemon.running());

    const std::string log = daemon.log();
    const auto silent = log_find(log, "no answer to");
    ASSERT_NE(silent, std::string::npos) << log;
    EXPECT_NE(log_find(log, "meter house: ok", silent), std::string::npos) << log;
    // Answers that were queued while the meter was frozen must not end up as readings of a
    // later request with wrong values: every row is the same meter's, with a quality of ok.
    for (const auto& row : read_csv_rows(daemon.csv())) {
        EXPECT_EQ(row["serial"], "62000003");
        EXPECT_EQ(row["quality"], "ok");
    }
}

// A local IR head (the pty itself, no ser2net) is unplugged and a head on another meter is
// plugged in under the same path: kamgw reopens the device on its own and identifies the new
// meter instead of filing its readings under the old serial.
TEST(DaemonRecovery, AnUnpluggedLocalHeadIsReopenedAndTheNewMeterIdentified) {
    TempDir dir;
    std::optional<SimMeter> meter;
    meter.emplace(dir, SimOptions{.serial = 62000004, .strict_line = true});
    const std::filesystem::path link = dir / "ir-head";
    // The sim names its link after the serial; the daemon is given a stable path pointing at it.
    std::filesystem::create_symlink(meter->link(), link);
    Daemon daemon(dir, {{.name = "house", .url = link.string(), .interval = "2s", .registers = {"volume"}}});
    HealthTrail trail(daemon, "house");
    ASSERT_TRUE(wait_for_rows_beyond(daemon, 1, kFirstRowDeadline)) << daemon.log() << meter->log();

    meter->unplug();
    ASSERT_TRUE(trail.wait_for("link_down", 30s)) << trail.text() << '\n' << daemon.log();
    std::filesystem::remove(link);
    meter.reset();
    SimMeter replacement(dir, {.serial = 62000005, .strict_line = true});
    std::filesystem::create_symlink(replacement.link(), link);
    const auto plugged = std::chrono::steady_clock::now();

    ASSERT_TRUE(wait_until(
        [&] {
            const auto rows = read_csv_rows(daemon.csv());
            return !rows.empty() && rows.back()["serial"] == "62000005";
        },
        60s))
        << daemon.log() << "\n--- new sim:\n"
        << replacement.log();
    std::printf("[ e2e ] local head: from re-plug to the new meter's first CSV row: %.2f s\n",
                seconds_between(plugged, std::chrono::steady_clock::now()));
    std::fflush(stdout);
    EXPECT_TRUE(trail.wait_for("ok", 30s)) << trail.text();
    EXPECT_TRUE(trail.saw_in_order("link_down", "ok")) << trail.text();
    EXPECT_NE(daemon.log().find("serial 62000005"), std::string::npos) << daemon.log();
    const auto seen = replacement.line_settings_seen();
    EXPECT_NE(std::find(seen.begin(), seen.end(), "1200 8N2"), seen.end()) << replacement.log();
    EXPECT_TRUE(daemon.running());
}

}  // namespace
}  // namespace kamgw::test::e2e
