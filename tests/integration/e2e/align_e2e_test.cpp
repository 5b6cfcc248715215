// `kamgw align` through a pty against the simulated meter's faults: a head that moves from
// misaligned (silent, only its own echo, CRC errors, garbage) to in place, as the meter sees it.
// Each attempt is classified from the bytes on the line, and "stable" comes after 10 answers.
#include <gtest/gtest.h>

#include <csignal>
#include <nlohmann/json.hpp>

#include "tests/integration/e2e/e2e_harness.hpp"

namespace kamgw::test::e2e {
namespace {

std::vector<nlohmann::json> attempts(const std::string& output) {
    std::vector<nlohmann::json> out;
    std::istringstream in(output);
    std::string line;
    while (std::getline(in, line)) {
        const auto j = nlohmann::json::parse(line, nullptr, false);
        if (!j.is_discarded() && j.contains("attempt")) out.push_back(j);
    }
    return out;
}

CommandResult align(const SimMeter& meter, int count, const std::string& extra = "") {
    std::vector<std::string> argv = {kamgw_binary().string(), "align",  meter.link().string(), "--count",
                                     std::to_string(count),   "--json", "--plugin-dir",        plugin_dir().string()};
    if (!extra.empty()) argv.push_back(extra);
    return run_command(argv, 120s);
}

std::vector<std::string> results(const std::vector<nlohmann::json>& a) {
    std::vector<std::string> out;
    for (const auto& j : a) out.push_back(j["result"].get<std::string>());
    return out;
}

TEST(Align, AHeadMovingIntoPlaceIsSeenAttemptByAttemptUntilStable) {
    TempDir dir;
    // Two requests unanswered, then two answers with a flipped bit, then clean ones.
    SimMeter meter(dir, {.serial = 7100001, .faults = "silent=2,corrupt=2"});
    const auto r = align(meter, 15);
    ASSERT_EQ(r.exit_code, 0) << r.output;
    const auto a = attempts(r.output);
    ASSERT_EQ(a.size(), 15u) << r.output;
    const std::vector<std::string> expected = {"silent",   "silent",   "crc_error", "crc_error", "answered",
                                               "answered", "answered", "answered",  "answered",  "answered",
                                               "answered", "answered", "answered",  "answered",  "answered"};
    EXPECT_EQ(results(a), expected) << r.output;
    EXPECT_EQ(a[4]["serial"], "7100001");
    EXPECT_GT(a[4]["delay_ms"].get<int>(), 50);  // the sim's 50 ms plus the answer's time on the wire
    EXPECT_FALSE(a[12]["stable"].get<bool>());
    EXPECT_TRUE(a[13]["stable"].get<bool>());  // attempts 5..14: ten in a row
    EXPECT_EQ(a[14]["last10_answered"], 10);
    EXPECT_NE(r.output.find("15 attempts, 11 answered (73 %), 2 silent, 2 CRC error"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("stable since attempt 5"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("costs a little battery"), std::string::npos) << r.output;
}

TEST(Align, AnEchoingHeadWithoutTheMeterIsEchoOnly) {
    TempDir dir;
    SimMeter meter(dir, {.serial = 7100002, .faults = "echo,silent=3"});
    const auto a = attempts(align(meter, 4).output);
    EXPECT_EQ(results(a), (std::vector<std::string>{"echo_only", "echo_only", "echo_only", "answered"}));
}

TEST(Align, NoiseBeforeTheAnswerStillCountsAsAnAnswerAndAnotherProtocolIsGarbage) {
    TempDir dir;
    SimMeter noisy(dir, {.serial = 7100003, .faults = "noise"});
    EXPECT_EQ(results(attempts(align(noisy, 3).output)),
              (std::vector<std::string>{"answered", "answered", "answered"}));
    SimMeter other(dir, {.serial = 7100004, .faults = "not_kmp"});
    const auto r = align(other, 2);
    EXPECT_EQ(r.exit_code, 69) << r.output;  // never stable
    EXPECT_EQ(results(attempts(r.output)), (std::vector<std::string>{"garbage", "garbage"}));
}

TEST(Align, PlainLinesWhenNotATerminalAndCtrlCEndsWithASummary) {
    TempDir dir;
    SimMeter meter(dir, {.serial = 7100005});
    ChildProcess run({kamgw_binary().string(), "align", meter.link().string(), "--plugin-dir", plugin_dir().string()},
                     dir / "align.log");
    ASSERT_TRUE(wait_until([&] { return run.log().find("#3 answered in") != std::string::npos; }, 60s)) << run.log();
    run.send_signal(SIGINT);
    EXPECT_EQ(run.wait_exit(10s), 69) << run.log();  // stopped before it was stable
    EXPECT_NE(run.log().find("| since start 3/3 (100 %)"), std::string::npos) << run.log();
    EXPECT_NE(run.log().find("kamgw align: 3 attempts, 3 answered (100 %)"), std::string::npos) << run.log();
    EXPECT_EQ(run.log().find("\033[K"), std::string::npos) << "terminal codes on a pipe";
}

TEST(Align, OnATerminalOneLineIsRewrittenInPlace) {
    TempDir dir;
    SimMeter meter(dir, {.serial = 7100006, .faults = "silent=1"});
    // script(1) gives the command a terminal of its own.
    const std::string command = kamgw_binary().string() + " align " + meter.link().string() +
                                " --count 3 --plugin-dir " + plugin_dir().string();
    const auto r = run_command({"script", "-qec", command, "/dev/null"}, 60s);
    EXPECT_EQ(r.exit_code, 69) << r.output;
    EXPECT_NE(r.output.find("\r\033[K#1 silent | last 1: . 0/1"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("\r\033[K#3 answered in"), std::string::npos) << r.output;
    EXPECT_EQ(r.output.find("#2 answered in 1"), r.output.rfind("#2 answered in 1")) << r.output;
}

TEST(Align, AMeterThatIsNotThereIsALinkDown) {
    TempDir dir;
    const auto r = run_command({kamgw_binary().string(), "align", (dir / "no-such-head").string(), "--count", "2",
                                "--json", "--plugin-dir", plugin_dir().string()},
                               60s);
    EXPECT_EQ(r.exit_code, 69) << r.output;
    EXPECT_EQ(results(attempts(r.output)), (std::vector<std::string>{"link_down", "link_down"})) << r.output;
}

}  // namespace
}  // namespace kamgw::test::e2e
