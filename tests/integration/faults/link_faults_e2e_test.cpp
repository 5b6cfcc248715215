// `kamgw run` reads a simulated meter every 2 s through a fault proxy into a CSV file. The
// proxy breaks the link in one way; once the daemon has noticed (its log names the reason)
// and has reopened the link into the still broken proxy at least once, the proxy heals. The
// daemon is never restarted: the next CSV row must come on its own, soon, and the reopens
// must be counted.
#include <gtest/gtest.h>
#include <pwd.h>
#include <unistd.h>
#include <sched.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <regex>
#include <thread>

#include "tests/integration/e2e/e2e_harness.hpp"
#include "tests/integration/faults/fault_proxy.hpp"
#include "tests/support/network.hpp"

namespace kamgw::test::faults {
namespace {

// check looks at files as the service user would; these tests mean the user running them,
// whatever service user this machine happens to have.
std::string current_user() {
    const passwd* pw = ::getpwuid(::geteuid());
    return pw ? pw->pw_name : "root";
}

using namespace std::chrono_literals;
using e2e::count_csv_rows;
using e2e::Daemon;
using e2e::seconds_between;

// What the issue promises: a reading within two poll intervals of the peer being healthy. The
// link held when the peer heals is on probation (it replaced a useless one), so its first
// failed request (1 s timeout) sends the retry over a new link, or the next poll (at most one
// interval later) opens one.
constexpr auto kInterval = 2s;
constexpr auto kRecoveryBound = 2 * kInterval;

// `kamgw sim` on a TCP port of its own.
class TcpSim {
public:
    TcpSim(const TempDir& dir, std::uint32_t serial) : dir_(dir.path()), serial_(serial), port_(free_port()) {
        power_on();
    }
    [[nodiscard]] std::uint16_t port() const { return port_; }

    // Like a bridge losing power: gone at once, without a word to its client.
    void cut_power() { process_.kill_hard(); }
    // Back on the same port, with no memory of the client it had.
    void power_on() {
        process_ = ChildProcess({kamgw_binary().string(), "sim", "--listen", "tcp://127.0.0.1:" + std::to_string(port_),
                                 "--serial", std::to_string(serial_)},
                                dir_ / ("sim-" + std::to_string(++starts_) + ".log"));
        EXPECT_TRUE(wait_for_port(port_, 10s)) << process_.log();
    }

private:
    std::filesystem::path dir_;
    std::uint32_t serial_;
    std::uint16_t port_;
    int starts_ = 0;
    ChildProcess process_;
};

struct Expectation {
    FaultMode mode;
    std::string reason;  // what the log must say about the link
};

void PrintTo(const Expectation& e, std::ostream* os) { *os << fault_name(e.mode); }

void recovers_from(const Expectation& fault, std::uint32_t serial) {
    TempDir dir;
    TcpSim sim(dir, serial);
    FaultProxy proxy(sim.port());
    Daemon daemon(dir, {{.name = "house",
                         .url = "socket://127.0.0.1:" + std::to_string(proxy.port()),
                         .interval = "2s",  // kInterval
                         .registers = {"heat_energy", "volume"},
                         .timeout = "1s"}});
    ASSERT_TRUE(wait_until([&] { return count_csv_rows(daemon.csv()) >= 2; }, 30s)) << daemon.log();

    const std::size_t accepted_before = proxy.accepted();
    const auto broke = std::chrono::steady_clock::now();
    proxy.set_mode(fault.mode);
    // Noticed, and reopened into the broken proxy at least once: the daemon holds a broken
    // connection (or none) when the peer heals.
    ASSERT_TRUE(wait_until(
        [&] { return daemon.log().find(fault.reason) != std::string::npos && proxy.accepted() >= accepted_before + 1; },
        40s))
        << "fault " << fault_name(fault.mode) << " not noticed; log:\n"
        << daemon.log();
    const double noticed = seconds_between(broke, std::chrono::steady_clock::now());

    const std::size_t rows_before = count_csv_rows(daemon.csv());
    proxy.set_mode(FaultMode::pass);
    const auto healed = std::chrono::steady_clock::now();
    ASSERT_TRUE(wait_until([&] { return count_csv_rows(daemon.csv()) > rows_before; }, kRecoveryBound + 10s))
        << "no reading after the proxy healed (" << fault_name(fault.mode) << "); log:\n"
        << daemon.log();
    const double recovery = seconds_between(healed, std::chrono::steady_clock::now());
    const std::uint64_t reopens = daemon.meter_counter("house", "reconnects");

    std::string reason_line;
    const std::string log = daemon.log();
    if (const auto at = log.find(fault.reason); at != std::string::npos) {
        const auto begin = log.rfind('\n', at);
        reason_line = log.substr(begin == std::string::npos ? 0 : begin + 1,
                                 log.find('\n', at) - (begin == std::string::npos ? 0 : begin + 1));
    }
    std::printf("[ faults ] %-16s noticed+reopened after %5.2f s, recovered %5.2f s after healing, %llu reopens; %s\n",
                fault_name(fault.mode).c_str(), noticed, recovery, static_cast<unsigned long long>(reopens),
                reason_line.c_str());
    std::fflush(stdout);
    testing::Test::RecordProperty("recovery_ms", static_cast<int>(recovery * 1000));

    EXPECT_LT(recovery, std::chrono::duration<double>(kRecoveryBound).count()) << log;
    EXPECT_GE(reopens, 1u) << "the reopens were not counted";
    EXPECT_TRUE(daemon.running()) << "kamgw must ride out the fault without a restart";
    // One line per reopen, with the time of the attempt that really follows.
    EXPECT_NE(log.find(" in "), std::string::npos);
    EXPECT_TRUE(std::regex_search(log, std::regex("reopening the link in [0-9a-z]+ at [0-9]{2}:[0-9]{2}:[0-9]{2}")))
        << log;
    for (const auto& row : e2e::read_csv_rows(daemon.csv())) {
        EXPECT_EQ(row["serial"], std::to_string(serial));
        EXPECT_EQ(row["quality"], "ok");
    }
    EXPECT_EQ(daemon.stop() & 0x7f, 0);
}

class LinkFault : public testing::TestWithParam<Expectation> {};

TEST_P(LinkFault, TheLinkIsReopenedAndReadingsResume) {
    recovers_from(GetParam(), 63000001 + static_cast<std::uint32_t>(GetParam().mode));
}

INSTANTIATE_TEST_SUITE_P(
    LinkFaults, LinkFault,
    testing::Values(
        Expectation{FaultMode::silent, "no valid answer to 3 requests in a row (no answer; no answer; no answer)"},
        Expectation{FaultMode::garbage, "requests in a row"},
        Expectation{FaultMode::trickle, "the answer stopped mid-frame"},
        Expectation{FaultMode::black_hole, "no valid answer to 3 requests in a row (no answer; no answer; no answer)"},
        Expectation{FaultMode::rst, "reset the connection"},
        Expectation{FaultMode::accept_close, "closed the connection"}),
    [](const testing::TestParamInfo<Expectation>& info) {
        std::string name = fault_name(info.param.mode);
        std::erase(name, '-');
        return name;
    });

// A bridge that loses power leaves a half-open connection: no FIN, no RST, only silence. With
// hourly polls nothing is sent for an hour, so only TCP keepalive can tell, and only if someone
// listens: the session keeps a read pending between polls. The test runs in a network
// namespace of its own and takes its loopback down, so the kernel drops every packet as a dead
// peer would, and cuts the bridge's power meanwhile (a bridge that only lost its network would
// still hold the old connection and refuse a second client, as ser2net does); the link must be
// declared dead within the keepalive budget (25 s) and reopened as soon as the bridge is back,
// long before the next poll.
TEST(LinkFaults, AHalfOpenConnectionIsNoticedBetweenPollsAndReopened) {
    if (::unshare(CLONE_NEWNET) != 0)
        GTEST_SKIP() << "a network namespace needs root (CAP_SYS_ADMIN): " << std::strerror(errno);
    const auto loopback = [](const char* state) {
        return run_command({"ip", "link", "set", "lo", state}).exit_code == 0;
    };
    ASSERT_TRUE(loopback("up"));
    TempDir dir;
    TcpSim sim(dir, 63000042);
    Daemon daemon(dir, {{.name = "house",
                         .url = "socket://127.0.0.1:" + std::to_string(sim.port()),
                         .interval = "1h",
                         .registers = {"heat_energy", "volume"},
                         .timeout = "1s"}});
    // One row per reading: the first poll's two.
    ASSERT_TRUE(wait_until([&] { return count_csv_rows(daemon.csv()) >= 2; }, 30s)) << daemon.log();
    const std::size_t rows = count_csv_rows(daemon.csv());
    const auto count = [&](const std::string& text) {
        const std::string log = daemon.log();
        std::size_t n = 0;
        for (auto at = log.find(text); at != std::string::npos; at = log.find(text, at + 1)) ++n;
        return n;
    };
    ASSERT_EQ(count("identified "), 1u) << daemon.log();

    ASSERT_TRUE(loopback("down"));
    sim.cut_power();
    const auto cut = std::chrono::steady_clock::now();
    const bool noticed = wait_until([&] { return count("no sign of life from") > 0; }, 40s);
    const double noticed_after = seconds_between(cut, std::chrono::steady_clock::now());
    ASSERT_TRUE(loopback("up"));
    sim.power_on();
    ASSERT_TRUE(noticed) << daemon.log();
    const auto restored = std::chrono::steady_clock::now();
    ASSERT_TRUE(wait_until([&] { return count("identified ") >= 2; }, 30s)) << daemon.log();
    const double reopened_after = seconds_between(restored, std::chrono::steady_clock::now());

    std::printf(
        "[ faults ] half-open        noticed %5.2f s after the peer vanished, reopened %5.2f s after "
        "the bridge came back\n",
        noticed_after, reopened_after);
    std::fflush(stdout);
    EXPECT_LT(noticed_after, 25.0 + 5.0) << "the keepalive budget is 25 s";
    EXPECT_GE(daemon.meter_counter("house", "reconnects"), 1u);
    const std::string log = daemon.log();
    EXPECT_NE(log.find("while waiting for the next poll"), std::string::npos) << log;
    EXPECT_TRUE(std::regex_search(log, std::regex("reopening the link in [0-9a-z]+ at [0-9]{2}:[0-9]{2}:[0-9]{2}")))
        << log;
    EXPECT_EQ(count_csv_rows(daemon.csv()), rows) << "no extra poll: the hourly schedule stays\n" << log;
    EXPECT_EQ(daemon.stop() & 0x7f, 0);
}

// Meters past the open-file limit are told so, not "cancelled; check the cable". The meters'
// connections land in the backlog of a socket that never accepts, so each keeps its file.
// Each meter has an address of its own (127.0.0.x) so they do not queue on one shared line.
TEST(LinkFaults, RunningOutOfFileDescriptorsIsNamed) {
    TempDir dir;
    const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
    ASSERT_GE(listener, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_ANY);
    ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    ASSERT_EQ(::listen(listener, 256), 0);
    socklen_t length = sizeof address;
    ::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length);
    const std::string port = std::to_string(ntohs(address.sin_port));

    std::vector<e2e::MeterEntry> meters;
    for (int i = 0; i < 40; ++i)
        meters.push_back({.name = "m" + std::to_string(i),
                          .url = "socket://127.0.0." + std::to_string(i + 1) + ":" + port,
                          .interval = "1h",
                          .registers = {"volume"}});
    Daemon daemon(dir, meters, "info", {"prlimit", "--nofile=40:40"});
    const bool named =
        wait_until([&] { return daemon.log().find("too many open files (EMFILE") != std::string::npos; }, 30s);
    ::close(listener);
    const std::string log = daemon.log();
    ASSERT_TRUE(named) << log;
    EXPECT_NE(log.find("need about"), std::string::npos) << "no warning about the limit at start:\n" << log;
    EXPECT_EQ(log.find("was cancelled"), std::string::npos) << log;
    EXPECT_NE(log.find("LimitNOFILE"), std::string::npos) << log;
    std::printf("[ faults ] EMFILE: %s\n",
                log.substr(log.rfind("\n", log.find("too many open files (EMFILE")) + 1, 300).c_str());
    EXPECT_TRUE(daemon.running());

    // `kamgw check` says so before the daemon runs into it.
    const auto check = run_command({"prlimit", "--nofile=40:40", kamgw_binary().string(), "check", "--user",
                                    current_user(), "-c", (dir / "kamgw.toml").string()});
    EXPECT_EQ(check.exit_code, 0) << check.output;
    EXPECT_NE(check.output.find("warning: 40 meter(s) and 1 sink(s) need about"), std::string::npos) << check.output;
}

}  // namespace
}  // namespace kamgw::test::faults
