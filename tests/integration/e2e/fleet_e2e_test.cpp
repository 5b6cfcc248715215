// One kamgw reading a fleet of simulated meters, each on its own TCP line (one `kamgw sim
// --count N` process). Every meter must show up in the CSV with its own serial, and the first
// cycle must take far less than reading the meters one after another would (~1 s each).
#include <gtest/gtest.h>

#include <cstdio>
#include <regex>
#include <set>

#include "tests/integration/e2e/e2e_harness.hpp"

namespace kamgw::test::e2e {
namespace {

TEST(Fleet, TwentyMetersOnSeparateLinesAreReadConcurrently) {
    constexpr unsigned kMeters = 20;
    constexpr std::uint32_t kFirstSerial = 63000000;
    TempDir dir;
    ChildProcess sim({kamgw_binary().string(), "sim", "--listen", "tcp://127.0.0.1:0", "--count",
                      std::to_string(kMeters), "--serial", std::to_string(kFirstSerial), "--log-level", "warn"},
                     dir / "sim.log");
    std::vector<std::uint16_t> ports;
    ASSERT_TRUE(wait_until(
        [&] {
            ports.clear();
            const std::string log = sim.log();
            static const std::regex listening("listening tcp://127\\.0\\.0\\.1:([0-9]+)");
            for (std::sregex_iterator it(log.begin(), log.end(), listening), end; it != end; ++it)
                ports.push_back(static_cast<std::uint16_t>(std::stoul((*it)[1])));
            return ports.size() == kMeters;
        },
        20s))
        << sim.log();

    std::vector<MeterEntry> meters;
    for (unsigned i = 0; i < kMeters; ++i)
        meters.push_back(
            {.name = "m" + std::to_string(i), .url = "tcp://127.0.0.1:" + std::to_string(ports[i]), .interval = "1h"});
    const auto started = std::chrono::steady_clock::now();
    Daemon daemon(dir, meters, "warn");

    std::set<std::string> serials;
    const bool all = wait_until(
        [&] {
            serials.clear();
            for (const auto& row : read_csv_rows(daemon.csv())) serials.insert(row["serial"]);
            return serials.size() == kMeters;
        },
        120s);
    const double cycle = seconds_between(started, std::chrono::steady_clock::now());
    ASSERT_TRUE(all) << serials.size() << " of " << kMeters << " meters read\n" << daemon.log();
    for (unsigned i = 0; i < kMeters; ++i) EXPECT_EQ(serials.count(std::to_string(kFirstSerial + i)), 1u);
    std::printf("[ e2e ] %u meters: daemon start to the last meter's first row: %.2f s\n", kMeters, cycle);
    std::fflush(stdout);
    // One after another they would need at least 20 x ~1 s of wire time.
    EXPECT_LT(cycle, 15.0) << "the meters were not read concurrently";
    EXPECT_TRUE(daemon.running());
}

}  // namespace
}  // namespace kamgw::test::e2e
