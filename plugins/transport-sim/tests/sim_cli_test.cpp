// `kamgw sim` serving a simulated meter to `kamgw read` through the real transports: a pty
// read by the serial transport, a TCP port read by the tcp transport. Both processes are the
// kamgw binary; everything stays on this machine (a pty, 127.0.0.1).
#include <gtest/gtest.h>

#include <filesystem>

#include "tests/support/network.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace kamgw::sim {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;
using kamgw::test::ChildProcess;
using kamgw::test::run_command;

bool plugin_built(const std::string& name) { return fs::exists(kamgw::test::plugin_dir() / name); }

std::vector<std::string> kamgw(std::vector<std::string> args) {
    args.insert(args.begin(), kamgw::test::kamgw_binary().string());
    return args;
}

TEST(SimCli, PtyServesTheSerialTransportAt1200_8N2) {
    if (!plugin_built("kamgw-transport-serial.so")) GTEST_SKIP() << "the serial transport is not built";
    kamgw::test::TempDir dir;
    const auto link = dir / "meter";
    ChildProcess sim(kamgw({"sim", "--model", "multical403", "--pty", link.string(), "--serial", "424242",
                            "--strict-line", "--faults", "echo"}),
                     dir / "sim.log");
    ASSERT_TRUE(kamgw::test::wait_until([&] { return fs::is_symlink(link); }, 10s)) << sim.log();

    const auto read = run_command(kamgw({"read", link.string(), "--json", "-r", "heat_energy,volume,hour_counter"}));
    EXPECT_EQ(read.exit_code, 0) << read.output << sim.log();
    EXPECT_NE(read.output.find("\"serial\":\"424242\""), std::string::npos) << read.output;
    EXPECT_NE(read.output.find("\"key\":\"heat_energy\""), std::string::npos);
    EXPECT_NE(read.output.find("\"unit\":\"MWh\""), std::string::npos);
    // --strict-line answers only a client that set 1200 8N2; the simulator logged what it saw.
    EXPECT_NE(sim.log().find("line settings: 1200 8N2"), std::string::npos) << sim.log();

    EXPECT_EQ(sim.stop(), 0) << sim.log();
    EXPECT_FALSE(fs::is_symlink(link));
}

TEST(SimCli, TcpServesTheSocketTransport) {
    if (!plugin_built("kamgw-transport-tcp.so")) GTEST_SKIP() << "the tcp transport is not built";
    kamgw::test::TempDir dir;
    const std::uint16_t port = kamgw::test::free_port();
    ChildProcess sim(kamgw({"sim", "--model", "multical603", "--listen", "tcp://127.0.0.1:" + std::to_string(port),
                            "--serial", "777", "--faults", "omit=63"}),
                     dir / "sim.log");
    ASSERT_TRUE(kamgw::test::wait_for_port(port, 10s)) << sim.log();
    const auto read = run_command(
        kamgw({"read", "socket://127.0.0.1:" + std::to_string(port), "--csv", "-r", "heat_energy,cooling_energy,t3"}));
    EXPECT_EQ(read.exit_code, 3) << "answered without a register: " << read.output << sim.log();
    EXPECT_NE(read.output.find("time,meter,serial,key,id,value,unit,quality"), std::string::npos) << read.output;
    EXPECT_NE(read.output.find(",777,heat_energy,60,"), std::string::npos) << read.output;
    EXPECT_NE(read.output.find(",GJ,ok"), std::string::npos) << read.output;
    EXPECT_NE(read.output.find("cooling_energy (63): the meter has no such register"), std::string::npos)
        << read.output;
    EXPECT_EQ(sim.stop(), 0) << sim.log();
}

TEST(SimCli, ReadExitCodes) {
    const auto silent =
        run_command(kamgw({"read", "sim://multical403?faults=silent&pace=false", "--timeout", "200ms"}));
    EXPECT_EQ(silent.exit_code, 69) << silent.output;
    EXPECT_NE(silent.output.find("IR head"), std::string::npos) << silent.output;
    const auto unknown = run_command(kamgw({"read", "sim://multical403", "-r", "no_such_register"}));
    EXPECT_EQ(unknown.exit_code, 64) << unknown.output;
    const auto bad_option = run_command(kamgw({"read", "sim://multical403?colour=blue"}));
    EXPECT_EQ(bad_option.exit_code, 64) << bad_option.output;
    const auto scan = run_command(kamgw({"scan", "sim://flowiq?pace=false", "--quiet"}));
    EXPECT_EQ(scan.exit_code, 0) << scan.output;
    EXPECT_NE(scan.output.find("17 registers found"), std::string::npos) << scan.output;
}

}  // namespace
}  // namespace kamgw::sim
