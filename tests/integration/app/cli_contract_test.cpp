// What scripts rely on: each exit code means one thing, each failure is one sentence, the
// line options reach the line, JSON and CSV look the same wherever they come from, progress
// and colour appear only on a terminal that wants them, and `run --once` reports delivery.
#include <gtest/gtest.h>
#include <pty.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "csv_format.hpp"
#include "tests/support/network.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace kamgw::test {
namespace {

using namespace std::chrono_literals;

CommandResult kamgw(std::vector<std::string> args) {
    args.insert(args.begin(), kamgw_binary().string());
    return run_command(args, 60s);
}

// Standard output alone, for what a pipe gets.
CommandResult kamgw_stdout(const std::string& args) {
    return run_command({"/bin/sh", "-c", "'" + kamgw_binary().string() + "' " + args + " 2>/dev/null"}, 60s);
}

// Runs kamgw with its standard error (and output) on a pseudo-terminal, as a user at a shell.
CommandResult kamgw_on_terminal(const std::vector<std::string>& args, const std::map<std::string, std::string>& env) {
    int master = -1;
    const pid_t pid = ::forkpty(&master, nullptr, nullptr, nullptr);
    if (pid < 0) throw std::runtime_error("forkpty failed");
    if (pid == 0) {
        ::unsetenv("NO_COLOR");
        for (const auto& [k, v] : env) ::setenv(k.c_str(), v.c_str(), 1);
        std::vector<std::string> argv{kamgw_binary().string()};
        argv.insert(argv.end(), args.begin(), args.end());
        std::vector<char*> raw;
        for (auto& a : argv) raw.push_back(a.data());
        raw.push_back(nullptr);
        ::execv(raw[0], raw.data());
        ::_exit(127);
    }
    CommandResult result;
    char buf[4096];
    for (;;) {
        const ssize_t n = ::read(master, buf, sizeof buf);
        if (n <= 0) break;  // EIO once the child closed the terminal
        result.output.append(buf, static_cast<std::size_t>(n));
    }
    ::close(master);
    int status = 0;
    ::waitpid(pid, &status, 0);
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return result;
}

std::size_t occurrences(const std::string& text, const std::string& needle) {
    std::size_t n = 0;
    for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
    return n;
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

TEST(CliExitCodes, AllRegistersReadIsZero) {
    const auto r = kamgw({"read", "sim://multical403", "-r", "heat_energy,volume"});
    EXPECT_EQ(r.exit_code, 0) << r.output;
}

TEST(CliExitCodes, AMeterWithoutARegisterIsPartialNotUnavailable) {
    const auto r = kamgw({"read", "sim://multical403", "-r", "t3"});
    EXPECT_EQ(r.exit_code, 3) << r.output;
    EXPECT_NE(r.output.find("t3 (88): the meter has no such register"), std::string::npos) << r.output;
    EXPECT_EQ(r.output.find(": ok"), std::string::npos) << "an 'ok' for a failed read:\n" << r.output;
    EXPECT_EQ(lines_of(r.output).size(), 1u) << "one sentence, not more:\n" << r.output;

    const auto some = kamgw({"read", "sim://multical403", "--json", "-r", "heat_energy,t3"});
    EXPECT_EQ(some.exit_code, 3) << some.output;
    EXPECT_EQ(occurrences(some.output, "\"key\":\"heat_energy\""), 1u) << some.output;
    EXPECT_NE(some.output.find("1 of 2 registers did not come back"), std::string::npos) << some.output;
}

TEST(CliExitCodes, NothingListeningIsUnavailableAndSaidOnce) {
    const auto port = free_port();
    const auto r = kamgw({"read", "socket://127.0.0.1:" + std::to_string(port)});
    EXPECT_EQ(r.exit_code, 69) << r.output;
    EXPECT_EQ(lines_of(r.output).size(), 1u) << r.output;
    EXPECT_EQ(occurrences(r.output, "is down"), 1u) << r.output;
    EXPECT_EQ(r.output.find("reconnecting"), std::string::npos) << r.output;
    EXPECT_EQ(r.output.find("missing:"), std::string::npos) << r.output;
}

TEST(CliExitCodes, PluginAndSimFailuresHaveTheirOwnCodes) {
    TempDir empty;
    EXPECT_EQ(kamgw({"plugins", "--plugin-dir", empty.path().string()}).exit_code, 0);
    empty.write("kamgw-sink-broken.so", "not a shared object");
    EXPECT_EQ(kamgw({"plugins", "--plugin-dir", empty.path().string()}).exit_code, 72);
    const auto sim = kamgw({"sim", "--pty", (empty / "no-such-folder/link").string()});
    EXPECT_EQ(sim.exit_code, 71) << sim.output;
}

TEST(CliLineOptions, AreCheckedLikeTheConfigKeys) {
    for (const auto& [option, value, says] :
         std::vector<std::tuple<std::string, std::string, std::string>>{{"--baud", "12", "from 300 to 115200"},
                                                                        {"--baud", "fast", "integer"},
                                                                        {"--parity", "mark", "'none', 'even' or 'odd'"},
                                                                        {"--stop-bits", "3", "from 1 to 2"}}) {
        const auto r = kamgw({"read", "sim://multical403", option, value});
        EXPECT_EQ(r.exit_code, 64) << option << ' ' << value << ": " << r.output;
        EXPECT_NE(r.output.find("kamgw read: " + option + ":"), std::string::npos) << r.output;
        EXPECT_NE(r.output.find(says), std::string::npos) << r.output;
    }
}

// A simulated meter on a pty that, like a real one, ignores a line not set to its speed and 8N2.
class StrictSim : public ::testing::Test {
protected:
    void SetUp() override {
        sim = ChildProcess({kamgw_binary().string(), "sim", "--pty", link().string(), "--baud", "2400", "--strict-line",
                            "--log-level", "debug"},
                           dir / "sim.log");
        ASSERT_TRUE(wait_until([&] { return std::filesystem::exists(link()); }, 10s)) << read_file(dir / "sim.log");
    }
    std::filesystem::path link() const { return dir / "meter"; }
    TempDir dir;
    ChildProcess sim;
};

TEST_F(StrictSim, ReadWithTheMetersBaudAnswersAndWithoutItDoesNot) {
    const auto right = kamgw({"read", link().string(), "--baud", "2400", "-r", "heat_energy"});
    EXPECT_EQ(right.exit_code, 0) << right.output << read_file(dir / "sim.log");
    const auto wrong = kamgw({"read", link().string(), "--timeout", "500ms", "-r", "heat_energy"});
    EXPECT_EQ(wrong.exit_code, 69) << wrong.output;
    const auto one_stop_bit =
        kamgw({"read", link().string(), "--baud", "2400", "--stop-bits", "1", "--timeout", "500ms", "-r", "volume"});
    EXPECT_EQ(one_stop_bit.exit_code, 69) << one_stop_bit.output;
    EXPECT_NE(read_file(dir / "sim.log").find("ignored: the line is not"), std::string::npos);
}

TEST(CliFormats, ReadCsvHasTheCsvSinksColumns) {
    const auto r = kamgw_stdout("read sim://multical403?serial=77 --csv -r heat_energy,volume");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    const auto lines = lines_of(r.output);
    ASSERT_EQ(lines.size(), 3u) << r.output;
    EXPECT_EQ(lines[0] + "\n", csv::format_header({.line_end = "\n"}));
    EXPECT_NE(lines[1].find(",multical403,77,heat_energy,60,"), std::string::npos) << lines[1];
    EXPECT_EQ(lines[1].substr(lines[1].rfind(',')), ",ok");
}

TEST(CliFormats, SerialIsAStringInReadScanAndDecode) {
    const auto read = kamgw_stdout("read sim://multical403?serial=4242 --json -r heat_energy");
    ASSERT_EQ(read.exit_code, 0) << read.output;
    EXPECT_EQ(nlohmann::json::parse(read.output)["serial"], "4242");

    const auto scan = kamgw_stdout("scan sim://multical403?serial=4242 --json");
    ASSERT_EQ(scan.exit_code, 0) << scan.output;
    std::map<std::string, std::size_t> statuses;
    for (const auto& line : lines_of(scan.output)) {
        const auto j = nlohmann::json::parse(line);
        EXPECT_EQ(j["serial"], "4242") << line;
        ++statuses[j["status"].get<std::string>()];
        if (j["status"] == "found") {
            EXPECT_TRUE(j["value"].is_number()) << line;
        }
    }
    EXPECT_GT(statuses["found"], 10u);
    EXPECT_GT(statuses["not_supported"], 0u);

    const auto decode = kamgw_stdout("decode 40 3F 02 01 23 45 67 E9 56 0D");
    ASSERT_EQ(decode.exit_code, 0) << decode.output;
    EXPECT_EQ(nlohmann::json::parse(decode.output)["serial"], "19088743");
}

TEST(CliTerminal, ScanShowsProgressOnlyOnATerminal) {
    const auto piped = kamgw({"scan", "sim://multical403"});
    ASSERT_EQ(piped.exit_code, 0) << piped.output;
    EXPECT_EQ(piped.output.find('\r'), std::string::npos);
    EXPECT_EQ(piped.output.find("probed"), std::string::npos);

    const auto terminal = kamgw_on_terminal({"scan", "sim://multical403"}, {});
    ASSERT_EQ(terminal.exit_code, 0) << terminal.output;
    EXPECT_NE(terminal.output.find("\rprobed 16 of"), std::string::npos) << terminal.output;
}

TEST(CliTerminal, NoColorTurnsOffTheColouredLevels) {
    const std::vector<std::string> args{"read", "sim://multical403", "-r", "heat_energy", "--log-level", "info"};
    const auto coloured = kamgw_on_terminal(args, {{"TERM", "xterm"}});
    ASSERT_EQ(coloured.exit_code, 0) << coloured.output;
    EXPECT_NE(coloured.output.find("\x1b["), std::string::npos) << "the control: colour on a terminal";
    const auto plain = kamgw_on_terminal(args, {{"TERM", "xterm"}, {"NO_COLOR", "1"}});
    ASSERT_EQ(plain.exit_code, 0) << plain.output;
    EXPECT_EQ(plain.output.find("\x1b["), std::string::npos) << plain.output;
    EXPECT_NE(plain.output.find("info"), std::string::npos) << plain.output;
    // no-color.org: an empty value does not count.
    const auto empty = kamgw_on_terminal(args, {{"TERM", "xterm"}, {"NO_COLOR", ""}});
    EXPECT_NE(empty.output.find("\x1b["), std::string::npos);
}

class RunOnce : public ::testing::Test {
protected:
    std::filesystem::path config(const std::string& registers, const std::string& sink) {
        return dir.write("kamgw.toml", "[gateway]\nid = \"once\"\nstate_dir = \"" + (dir / "state").string() +
                                           "\"\nshutdown_timeout = \"2s\"\n\n[[meter]]\nname = \"house\"\n"
                                           "url = \"sim://multical403?serial=5150\"\nregisters = [" +
                                           registers + "]\n\n" + sink);
    }
    std::string csv_sink(const std::string& name = "csv") const {
        return "[[sink]]\ntype = \"csv\"\nname = \"" + name + "\"\npath = \"" + csv().string() + "\"\n";
    }
    std::filesystem::path csv() const { return dir / "readings.csv"; }
    std::vector<std::string> rows() const {
        auto all = lines_of(read_file(csv()));
        if (!all.empty()) all.erase(all.begin());  // the header
        return all;
    }
    std::filesystem::path fixtures() const {
        const auto extra = dir / "plugins";
        std::filesystem::create_directories(extra);
        const auto name = "kamgw-sink-fixture-throwing-write.so";
        std::filesystem::copy_file(plugin_dir().parent_path() / KAMGW_FIXTURE_PLUGIN_SUBDIR / name, extra / name,
                                   std::filesystem::copy_options::overwrite_existing);
        return extra;
    }
    TempDir dir;
};

TEST_F(RunOnce, OnePollThroughTheSinkThenZero) {
    const auto r = kamgw({"run", "--once", "-c", config("\"heat_energy\", \"volume\"", csv_sink()).string()});
    EXPECT_EQ(r.exit_code, 0) << r.output;
    const auto got = rows();
    ASSERT_EQ(got.size(), 2u) << read_file(csv());
    EXPECT_NE(got[0].find(",house,5150,heat_energy,60,"), std::string::npos) << got[0];
    EXPECT_NE(got[1].find(",house,5150,volume,68,"), std::string::npos) << got[1];
    // Through the journal, as the daemon does.
    EXPECT_TRUE(std::filesystem::exists(dir / "state/journal")) << r.output;
}

TEST_F(RunOnce, AConfiguredRegisterTheMeterLacksIsPartial) {
    const auto r = kamgw({"run", "--once", "-c", config("\"heat_energy\", \"t3\"", csv_sink()).string()});
    EXPECT_EQ(r.exit_code, 3) << r.output;
    EXPECT_EQ(rows().size(), 1u);
}

TEST_F(RunOnce, AMeterThatCannotBeReachedIsUnavailable) {
    auto text = read_file(config("\"heat_energy\"", csv_sink()));
    text.replace(text.find("sim://multical403?serial=5150"), 29, "socket://127.0.0.1:" + std::to_string(free_port()));
    const auto file = dir.write("kamgw.toml", text);
    const auto r = kamgw({"run", "--once", "-c", file.string()});
    EXPECT_EQ(r.exit_code, 69) << r.output;
    EXPECT_EQ(occurrences(r.output, "is down"), 1u) << r.output;
}

TEST_F(RunOnce, ASinkThatFailsIsNotDeliveredAndItsPollWaitsInTheJournal) {
    const auto plugins = fixtures();
    const auto failing = config("\"heat_energy\"", "[[sink]]\ntype = \"fixture-throwing-write\"\nname = \"out\"\n");
    const auto start = std::chrono::steady_clock::now();
    const auto r = kamgw({"run", "--once", "--plugin-dir", plugins.string(), "-c", failing.string()});
    EXPECT_EQ(r.exit_code, 75) << r.output;
    EXPECT_LT(std::chrono::steady_clock::now() - start, 20s) << "bounded by shutdown_timeout";
    EXPECT_NE(r.output.find("wait in the journal"), std::string::npos) << r.output;

    // The same sink name, now a working sink: the first poll comes out of the journal, then this one.
    const auto r2 = kamgw({"run", "--once", "-c", config("\"heat_energy\"", csv_sink("out")).string()});
    EXPECT_EQ(r2.exit_code, 0) << r2.output;
    const auto got = rows();
    ASSERT_EQ(got.size(), 2u) << read_file(csv());
    EXPECT_NE(got[0], got[1]) << "two polls, not one twice";
}

}  // namespace
}  // namespace kamgw::test
