// `kamgw run` as a service manager runs it: readings flow, SIGTERM drains and exits 0, SIGHUP
// reloads the configuration and reopens files, and plugins that throw cost nothing but themselves.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/support/network.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace kamgw::test {
namespace {

using namespace std::chrono_literals;

std::size_t count_rows(const std::filesystem::path& csv, const std::string& needle) {
    std::ifstream in(csv);
    std::size_t n = 0;
    for (std::string line; std::getline(in, line);)
        if (line.find(needle) != std::string::npos) ++n;
    return n;
}

std::string meter_table(const std::string& name, const std::string& serial) {
    return "[[meter]]\nname = \"" + name + "\"\nurl = \"sim://multical403?serial=" + serial +
           "\"\ninterval = \"1s\"\nregisters = [\"heat_energy\", \"volume\", \"t_forward\"]\n\n";
}

class DaemonTest : public ::testing::Test {
protected:
    std::filesystem::path config(const std::string& extra = {}) {
        return dir.write("kamgw.toml", "[gateway]\nid = \"it\"\nstate_dir = \"" + (dir / "state").string() +
                                           "\"\nshutdown_timeout = \"3s\"\n\n" + meter_table("first", "1111") +
                                           "[[sink]]\ntype = \"csv\"\npath = \"" + csv().string() + "\"\n\n" + extra);
    }
    std::filesystem::path csv() const { return dir / "readings.csv"; }
    ChildProcess start(const std::filesystem::path& cfg, std::vector<std::string> extra_args = {}) {
        std::vector<std::string> argv{kamgw_binary().string(), "run", "-c", cfg.string()};
        argv.insert(argv.end(), extra_args.begin(), extra_args.end());
        return ChildProcess(argv, dir / "kamgw.log");
    }
    std::string log() const { return read_file(dir / "kamgw.log"); }

    TempDir dir;
};

TEST_F(DaemonTest, ReadsTheMeterAndExitsZeroOnSigterm) {
    auto kamgw = start(config());
    ASSERT_TRUE(wait_until([&] { return count_rows(csv(), ",heat_energy,") >= 3; }, 60s)) << log();
    const auto stop_started = std::chrono::steady_clock::now();
    kamgw.send_signal(SIGTERM);
    EXPECT_EQ(kamgw.wait_exit(20s), 0) << log();
    EXPECT_LT(std::chrono::steady_clock::now() - stop_started, 15s);

    const std::string text = read_file(csv());
    EXPECT_EQ(text.rfind("time,meter,serial,key,id,value,unit,quality", 0), 0u) << text;
    EXPECT_EQ(count_rows(csv(), "time,meter,serial"), 1u) << "one header";
    EXPECT_GE(count_rows(csv(), ",first,1111,volume,68,"), 3u) << text;
    EXPECT_NE(log().find("SIGTERM"), std::string::npos) << log();
}

TEST_F(DaemonTest, SigintStopsItToo) {
    auto kamgw = start(config());
    ASSERT_TRUE(wait_until([&] { return count_rows(csv(), ",heat_energy,") >= 1; }, 60s)) << log();
    kamgw.send_signal(SIGINT);
    EXPECT_EQ(kamgw.wait_exit(20s), 0) << log();
}

TEST_F(DaemonTest, SighupReopensTheCsvFileAndPicksUpANewMeter) {
    auto kamgw = start(config());
    ASSERT_TRUE(wait_until([&] { return count_rows(csv(), ",heat_energy,") >= 2; }, 60s)) << log();

    // What logrotate does: move the file away, then signal.
    std::filesystem::rename(csv(), dir / "readings.csv.1");
    dir.write("conf.d/second.toml", meter_table("second", "2222"));
    kamgw.send_signal(SIGHUP);

    ASSERT_TRUE(wait_until([&] { return count_rows(csv(), ",second,2222,heat_energy,") >= 2; }, 60s)) << log();
    EXPECT_TRUE(wait_until([&] { return count_rows(csv(), ",first,1111,heat_energy,") >= 1; }, 30s)) << log();
    EXPECT_EQ(count_rows(csv(), "time,meter,serial"), 1u) << "the new file starts with a header";
    EXPECT_GE(count_rows(dir / "readings.csv.1", ",first,1111,heat_energy,"), 2u);
    EXPECT_NE(log().find("configuration reloaded"), std::string::npos) << log();
    kamgw.send_signal(SIGTERM);
    EXPECT_EQ(kamgw.wait_exit(20s), 0) << log();
}

TEST_F(DaemonTest, ABrokenConfigurationOnSighupLeavesTheRunningOneInForce) {
    auto kamgw = start(config());
    ASSERT_TRUE(wait_until([&] { return count_rows(csv(), ",heat_energy,") >= 1; }, 60s)) << log();
    dir.write("conf.d/broken.toml", "[[meter]]\nname = \"x\"\nurl = \"sim://multical403\"\nintervall = \"1h\"\n");
    kamgw.send_signal(SIGHUP);
    ASSERT_TRUE(wait_until([&] { return log().find("not reloaded") != std::string::npos; }, 30s)) << log();
    EXPECT_NE(log().find("broken.toml:4:1"), std::string::npos) << log();
    const auto before = count_rows(csv(), ",heat_energy,");
    EXPECT_TRUE(wait_until([&] { return count_rows(csv(), ",heat_energy,") >= before + 2; }, 60s)) << log();
    EXPECT_TRUE(kamgw.running());
    kamgw.send_signal(SIGTERM);
    EXPECT_EQ(kamgw.wait_exit(20s), 0) << log();
}

TEST_F(DaemonTest, PluginsThatThrowInTheirFactoryOrInWriteDoNotTakeTheDaemonDown) {
    // The fixtures live beside the build's plugins; copy the two under test into a folder of their own.
    const auto fixtures = plugin_dir().parent_path() / KAMGW_FIXTURE_PLUGIN_SUBDIR;
    const auto extra = dir / "plugins";
    std::filesystem::create_directories(extra);
    for (const char* name : {"kamgw-sink-fixture-throwing-write.so", "kamgw-sink-fixture-throwing-factory.so"})
        std::filesystem::copy_file(fixtures / name, extra / name);

    auto kamgw = start(config("[[sink]]\ntype = \"fixture-throwing-write\"\n\n"
                              "[[sink]]\ntype = \"fixture-throwing-factory\"\n"),
                       {"--plugin-dir", extra.string()});
    ASSERT_TRUE(wait_until([&] { return count_rows(csv(), ",heat_energy,") >= 4; }, 60s)) << log();
    EXPECT_TRUE(kamgw.running()) << log();
    EXPECT_NE(log().find("fixture-throwing-factory"), std::string::npos) << log();
    EXPECT_NE(log().find("failed on purpose"), std::string::npos) << log();
    kamgw.send_signal(SIGTERM);
    EXPECT_EQ(kamgw.wait_exit(30s), 0) << log();
}

std::vector<std::string> rows_with(const std::filesystem::path& csv, const std::string& needle) {
    std::ifstream in(csv);
    std::vector<std::string> out;
    for (std::string line; std::getline(in, line);)
        if (line.find(needle) != std::string::npos) out.push_back(line);
    return out;
}

TEST_F(DaemonTest, ASinkHungInWriteNeitherDelaysSigtermNorLosesWhatItNeverTook) {
    const auto fixtures = plugin_dir().parent_path() / KAMGW_FIXTURE_PLUGIN_SUBDIR;
    const auto extra = dir / "plugins";
    std::filesystem::create_directories(extra);
    std::filesystem::copy_file(fixtures / "kamgw-sink-fixture-hung-write.so",
                               extra / "kamgw-sink-fixture-hung-write.so");
    auto kamgw =
        start(config("[[sink]]\ntype = \"fixture-hung-write\"\nname = \"slow\"\n"), {"--plugin-dir", extra.string()});
    ASSERT_TRUE(wait_until([&] { return count_rows(csv(), ",heat_energy,") >= 4; }, 60s)) << log();
    const auto before = std::chrono::steady_clock::now();
    kamgw.send_signal(SIGTERM);
    EXPECT_EQ(kamgw.wait_exit(30s), 0) << log();
    const auto took = std::chrono::steady_clock::now() - before;
    EXPECT_LT(took, 3s + 500ms) << "shutdown_timeout is 3s";
    EXPECT_NE(log().find("leaving it behind"), std::string::npos) << log();
    const auto taken = rows_with(csv(), ",heat_energy,");

    // The same sink name, now a working sink: it gets every poll the hung one never took.
    const auto second = dir / "second.csv";
    auto again = start(config("[[sink]]\ntype = \"csv\"\nname = \"slow\"\npath = \"" + second.string() + "\"\n"));
    ASSERT_TRUE(wait_until([&] { return rows_with(second, ",heat_energy,").size() >= taken.size() + 1; }, 60s))
        << log();
    again.send_signal(SIGTERM);
    EXPECT_EQ(again.wait_exit(30s), 0) << log();
    const auto delivered = rows_with(second, ",heat_energy,");
    for (const auto& row : taken)
        EXPECT_NE(std::find(delivered.begin(), delivered.end(), row), delivered.end()) << "never delivered: " << row;
    std::printf(
        "[hung sink] SIGTERM took %lld ms with shutdown_timeout 3s; %zu polls waited and were delivered at "
        "the next start\n",
        static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(took).count()), taken.size());
}

TEST_F(DaemonTest, ServesOpenMetricsAndHealth) {
    const auto port = free_port();
    const auto cfg = config();
    // metrics_listen belongs in [gateway]: rewrite the file with it.
    std::string text = read_file(cfg);
    text.insert(text.find("shutdown_timeout"), "metrics_listen = \"127.0.0.1:" + std::to_string(port) + "\"\n");
    dir.write("kamgw.toml", text);
    auto kamgw = start(cfg);
    ASSERT_TRUE(wait_until([&] { return count_rows(csv(), ",heat_energy,") >= 2; }, 60s)) << log();
    const std::string base = "http://127.0.0.1:" + std::to_string(port);
    auto metrics = run_command({"curl", "-sf", base + "/metrics"});
    ASSERT_EQ(metrics.exit_code, 0) << log();
    EXPECT_NE(metrics.output.find("kamgw_meter_polls_total{meter=\"first\"}"), std::string::npos) << metrics.output;
    EXPECT_NE(metrics.output.find("kamgw_meter_info{meter=\"first\",serial=\"1111\""), std::string::npos)
        << metrics.output;
    EXPECT_NE(metrics.output.find("kamgw_sink_written_batches_total{sink=\"csv\""), std::string::npos);
    EXPECT_NE(metrics.output.find("# EOF"), std::string::npos);
    auto health = run_command({"curl", "-s", "-w", " %{http_code}", base + "/health"});
    EXPECT_NE(health.output.find("\"status\":\"ok\""), std::string::npos) << health.output;
    EXPECT_NE(health.output.find(" 200"), std::string::npos) << health.output;
    kamgw.send_signal(SIGTERM);
    EXPECT_EQ(kamgw.wait_exit(20s), 0) << log();
}

TEST_F(DaemonTest, ABadConfigurationStopsTheStartWithExitCode78) {
    const auto cfg = dir.write("kamgw.toml", "[gateway]\nlog_level = \"loud\"\n");
    auto kamgw = start(cfg);
    EXPECT_EQ(kamgw.wait_exit(30s), 78) << log();
    EXPECT_NE(log().find("kamgw.toml:2:"), std::string::npos) << log();
}

}  // namespace
}  // namespace kamgw::test
