// The state folder on a small tmpfs that fills up while influxd is away: the daemon keeps
// polling and keeps the readings in memory, says so once, leaves no stray files, writes them
// to the journal once space returns, and after a kill -9 and influxd's return every reading
// the daemon took is in influxd.
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

#include "tests/integration/daemon-sinks/influx_points.hpp"
#include "tests/integration/daemon-sinks/sink_daemon.hpp"
#include "tests/integration/influxdb/influxd_server.hpp"

namespace kamgw::test::daemon_sinks {
namespace {

// A tmpfs of `bytes` on `where`, unmounted again when the object goes.
class SmallFilesystem {
public:
    SmallFilesystem(std::filesystem::path where, std::size_t bytes) : where_(std::move(where)) {
        std::filesystem::create_directories(where_);
        const std::string options = "size=" + std::to_string(bytes) + ",mode=0755";
        mounted_ = ::mount("tmpfs", where_.c_str(), "tmpfs", 0, options.c_str()) == 0;
        if (!mounted_) error_ = std::strerror(errno);
    }
    ~SmallFilesystem() {
        if (mounted_) ::umount2(where_.c_str(), MNT_DETACH);
    }
    [[nodiscard]] bool mounted() const { return mounted_; }
    [[nodiscard]] const std::string& error() const { return error_; }

    // Writes a file until the file system says it is full.
    void fill(const std::filesystem::path& file) const {
        std::FILE* f = std::fopen(file.c_str(), "w");
        ASSERT_NE(f, nullptr);
        const std::string block(4096, 'x');
        while (std::fwrite(block.data(), 1, block.size(), f) == block.size() && std::fflush(f) == 0) {
        }
        std::fclose(f);
    }

private:
    std::filesystem::path where_;
    bool mounted_ = false;
    std::string error_;
};

std::size_t count_lines_with(const std::string& log, const std::string& needle) {
    std::size_t n = 0;
    for (std::size_t at = log.find(needle); at != std::string::npos; at = log.find(needle, at + 1)) ++n;
    return n;
}

std::size_t files_in(const std::filesystem::path& dir) {
    std::size_t n = 0;
    for (const auto& e : std::filesystem::directory_iterator(dir)) n += e.is_regular_file();
    return n;
}

TEST(DiskFull, AFullStateFolderLosesNothingAndRecoversWhenSpaceReturns) {
    if (::geteuid() != 0) GTEST_SKIP() << "mounting a small tmpfs needs root";
    TempDir dir;
    SmallFilesystem state(dir / "state", 512 * 1024);
    if (!state.mounted()) GTEST_SKIP() << "cannot mount a tmpfs here: " << state.error();
    std::filesystem::create_directories(dir / "influx");
    influxdb::test::InfluxdServer influx(dir / "influx");
    influx.execute("CREATE DATABASE kamstrup");
    influx.stop();  // away for the whole disk-full episode

    SinkDaemon daemon(dir, {.serial = 5550401,
                            .interval = "1s",
                            .sink_toml = "[[sink]]\ntype = \"influxdb\"\nurl = \"" + influx.url() +
                                         "\"\ndatabase = \"kamstrup\"\nprecision = \"ms\"\nretry_initial = "
                                         "\"100ms\"\nretry_max = \"500ms\"\n",
                            .meter_options = "&pace=false"});
    ASSERT_TRUE(daemon.wait_for_polls(2, 60s)) << daemon.log();

    state.fill(dir / "state" / "filler");
    const std::size_t at_full = daemon.polls().size();
    ASSERT_TRUE(daemon.wait_for_polls(at_full + 8, 60s)) << daemon.log();
    const std::string full_log = daemon.log();
    EXPECT_EQ(count_lines_with(full_log, "No space left on device"), 1u) << full_log;
    EXPECT_LE(files_in(dir / "state" / "journal"), 2u) << "no file per attempt";

    const std::size_t while_full = daemon.polls().size() - at_full;
    std::filesystem::remove(dir / "state" / "filler");
    ASSERT_TRUE(wait_until([&] { return daemon.log().find("works again") != std::string::npos; }, 30s)) << daemon.log();
    ASSERT_TRUE(daemon.wait_for_polls(daemon.polls().size() + 2, 60s)) << daemon.log();

    // Everything is on disk now: a kill loses nothing of it.
    daemon.kill_hard();
    daemon.start();
    influx.start();
    ASSERT_TRUE(daemon.wait_for_polls(daemon.polls().size() + 2, 60s)) << daemon.log();
    const bool arrived = wait_until(
        [&] {
            return count_missing(csv_points(distinct_polls(daemon.polls())), influx_points(influx, "house"), nullptr) ==
                   0;
        },
        120s);
    EXPECT_EQ(daemon.stop(), 0) << daemon.log();
    const auto polls = distinct_polls(daemon.polls());
    std::string missing;
    const std::size_t lost = count_missing(csv_points(polls), influx_points(influx, "house"), &missing);
    std::printf(
        "[disk-full] %zu polls, %zu while the state folder was full; %zu influx points lost; %zu journal "
        "error line(s), %zu file(s) in the journal folder while full\n",
        polls.size(), while_full, lost, count_lines_with(full_log, "No space left on device"),
        files_in(dir / "state" / "journal"));
    EXPECT_TRUE(arrived);
    EXPECT_EQ(lost, 0u) << missing << daemon.log();
}

}  // namespace
}  // namespace kamgw::test::daemon_sinks
