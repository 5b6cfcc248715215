// `kamgw check` and `kamgw run` as an operator runs them against hostile or broken setups:
// check refuses what run could not do, run refuses it too, and no secret shows anywhere.
#include <gtest/gtest.h>

#include <algorithm>
#include <pwd.h>
#include <unistd.h>
#include <signal.h>
#include <sys/stat.h>
#include <sysexits.h>

#include <filesystem>
#include <thread>

#include "tests/support/network.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace kamgw::test {
namespace {

// check looks at files as the service user would; these tests mean the user running them,
// whatever service user this machine happens to have.
std::string current_user() {
    const passwd* pw = ::getpwuid(::geteuid());
    return pw ? pw->pw_name : "root";
}

using namespace std::chrono_literals;
namespace fs = std::filesystem;

const std::string meter = "[[meter]]\nname = \"m\"\nurl = \"sim://multical403\"\ninterval = \"1s\"\n";

class CliHardening : public ::testing::Test {
protected:
    fs::path config(const std::string& gateway, const std::string& rest) {
        return dir.write("kamgw.toml", "[gateway]\nid = \"t\"\nstate_dir = \"" + (dir / "state").string() + "\"\n" +
                                           gateway + "\n" + rest);
    }
    CommandResult check(const fs::path& cfg, std::vector<std::string> extra = {}) {
        std::vector<std::string> argv{kamgw_binary().string(), "check", "-c", cfg.string()};
        if (std::find(extra.begin(), extra.end(), "--user") == extra.end()) {
            argv.push_back("--user");
            argv.push_back(current_user());
        }
        argv.insert(argv.end(), extra.begin(), extra.end());
        return run_command(argv, 20s);
    }
    // `kamgw run` that must refuse to start: its exit code and output.
    CommandResult run_refused(const fs::path& cfg) {
        return run_command({kamgw_binary().string(), "run", "-c", cfg.string()}, 20s);
    }

    TempDir dir;
};

void expect_contains(const std::string& text, const std::string& part) {
    EXPECT_NE(text.find(part), std::string::npos) << "expected '" << part << "' in:\n" << text;
}

TEST_F(CliHardening, UrlWithoutPortIsRefusedByCheckAndRun) {
    const auto cfg = config("", "[[meter]]\nname = \"m\"\nurl = \"socket://127.0.0.1\"\n");
    const auto checked = check(cfg);
    EXPECT_EQ(checked.exit_code, EX_CONFIG) << checked.output;
    expect_contains(checked.output, "kamgw.toml:7:7: key 'meter[0].url':");
    expect_contains(checked.output, "has no port");
    const auto ran = run_refused(cfg);
    EXPECT_EQ(ran.exit_code, EX_CONFIG) << ran.output;
    expect_contains(ran.output, "has no port");
}

TEST_F(CliHardening, StateDirThatIsAFileIsRefused) {
    dir.write("state-file", "x");
    const auto cfg =
        dir.write("kamgw.toml", "[gateway]\nstate_dir = \"" + (dir / "state-file").string() + "\"\n" + meter);
    const auto checked = check(cfg);
    EXPECT_EQ(checked.exit_code, EX_CONFIG) << checked.output;
    expect_contains(checked.output, "kamgw.toml:2:13: key 'gateway.state_dir': '" + (dir / "state-file").string() +
                                        "' exists and is not a folder");
    EXPECT_EQ(run_refused(cfg).exit_code, EX_CONFIG);
}

TEST_F(CliHardening, CsvPathThatIsAFolderIsRefused) {
    fs::create_directory(dir / "out");
    const auto cfg = config("", meter + "[[sink]]\ntype = \"csv\"\npath = \"" + (dir / "out").string() + "\"\n");
    const auto checked = check(cfg);
    EXPECT_EQ(checked.exit_code, EX_CONFIG) << checked.output;
    expect_contains(checked.output,
                    "kamgw.toml:11:8: key 'sink[0].path': '" + (dir / "out").string() + "' is a folder");
}

TEST_F(CliHardening, ConfigurationFolderIsRefused) {
    const auto checked = check(dir.path());
    EXPECT_EQ(checked.exit_code, EX_CONFIG) << checked.output;
    expect_contains(checked.output, "configuration file '" + dir.path().string() + "' is a folder");
}

TEST_F(CliHardening, SecretOnDevZeroEndsCheckAndRunAtOnce) {
    const auto cfg = config("", meter +
                                    "[[sink]]\ntype = \"mqtt-ha\"\nurl = \"mqtt://127.0.0.1:1\"\n"
                                    "password_file = \"/dev/zero\"\n");
    const auto start = std::chrono::steady_clock::now();
    const auto checked = check(cfg);
    EXPECT_EQ(checked.exit_code, EX_CONFIG) << checked.output;
    expect_contains(checked.output, "'/dev/zero' is a character device");
    EXPECT_EQ(run_refused(cfg).exit_code, EX_CONFIG);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);
}

TEST_F(CliHardening, FileTheServiceUserCannotReadIsRefused) {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root, as `sudo kamgw check` for the service user";
    const fs::path secret = dir.write("mqtt.pw", "hunter2-hunter2\n");
    ASSERT_EQ(::chmod(secret.c_str(), 0600), 0);
    const auto cfg = config("", meter +
                                    "[[sink]]\ntype = \"mqtt-ha\"\nurl = \"mqtt://127.0.0.1:1\"\n"
                                    "password_file = \"" +
                                    secret.string() + "\"\n");
    const auto as_root = check(cfg, {"--user", "root"});
    EXPECT_EQ(as_root.exit_code, EX_OK) << as_root.output;
    const auto as_nobody = check(cfg, {"--user", "nobody"});
    EXPECT_EQ(as_nobody.exit_code, EX_CONFIG) << as_nobody.output;
    expect_contains(as_nobody.output, "'" + secret.string() + "' cannot be read by the user nobody (mode 0600");
    // The state folder would be created by nobody in a folder only root may write.
    expect_contains(as_nobody.output, "key 'gateway.state_dir'");
    EXPECT_EQ(check(cfg, {"--user", "no-such-user-here"}).exit_code, EX_USAGE);
}

// Secrets given as a file, as a token file and inside a URL, at log level trace: check, the
// daemon's log, /health and /metrics must show none of them, nor their lengths.
TEST_F(CliHardening, SecretsNeverShowAtTraceLevel) {
    const std::string password = "pw-Fj38sKq0Zr", token = "tok-Vn27xLp9Qe", in_url = "url-Hs61mRt4Wy";
    const fs::path pw_file = dir.write("mqtt.pw", password + "\n");
    const fs::path token_file = dir.write("ha.token", token + "\n");
    const std::uint16_t port = free_port();
    const auto cfg =
        config("log_level = \"trace\"\nmetrics_listen = \"127.0.0.1:" + std::to_string(port) + "\"\n",
               meter + "[[meter]]\nname = \"bridge\"\nurl = \"socket://admin:" + in_url + "@127.0.0.1:1\"\n" +
                   "[[sink]]\ntype = \"mqtt-ha\"\nurl = \"mqtt://127.0.0.1:1\"\nusername = \"kamgw\"\n"
                   "password_file = \"" +
                   pw_file.string() +
                   "\"\n\n[[sink]]\ntype = \"ha-websocket\"\nurl = \"http://127.0.0.1:1\"\ntoken_file = \"" +
                   token_file.string() + "\"\n\n[[sink]]\ntype = \"influxdb\"\nurl = \"http://127.0.0.1:1\"\n" +
                   "database = \"kamstrup\"\n");
    std::vector<std::string> outputs;
    const auto checked = check(cfg);
    EXPECT_EQ(checked.exit_code, EX_OK) << checked.output;
    expect_contains(checked.output, "(secret)");
    outputs.push_back(checked.output);

    ChildProcess kamgw({kamgw_binary().string(), "run", "-c", cfg.string(), "--log-level", "trace"}, dir / "run.log");
    ASSERT_TRUE(wait_for_port(port, 30s)) << kamgw.log();
    // Two polls delivered to the sinks (which all fail to connect and say so, with their URLs).
    ASSERT_TRUE(wait_until([&] { return kamgw.log().find("identified MULTICAL") != std::string::npos; }, 30s))
        << kamgw.log();
    std::this_thread::sleep_for(2500ms);
    const std::string base = "http://127.0.0.1:" + std::to_string(port);
    outputs.push_back(run_command({"curl", "-s", base + "/health"}, 10s).output);
    outputs.push_back(run_command({"curl", "-s", base + "/metrics"}, 10s).output);
    kamgw.send_signal(SIGTERM);
    EXPECT_EQ(kamgw.wait_exit(30s), 0) << kamgw.log();
    outputs.push_back(kamgw.log());
    expect_contains(outputs[1], "\"sinks\"");

    for (const std::string& out : outputs) {
        for (const std::string& secret : {password, token, in_url}) {
            EXPECT_EQ(out.find(secret), std::string::npos) << "'" << secret << "' shown in:\n" << out;
            EXPECT_EQ(out.find(std::to_string(secret.size()) + " characters"), std::string::npos) << out;
        }
    }
}

// The daemon keeps what it writes to itself: files 0640, folders 0750.
TEST_F(CliHardening, StateAndSinkFilesAreNotWorldReadable) {
    const fs::path csv = dir / "out" / "readings.csv";
    const auto cfg = config("", meter + "[[sink]]\ntype = \"csv\"\npath = \"" + csv.string() + "\"\n");
    ChildProcess kamgw({kamgw_binary().string(), "run", "-c", cfg.string()}, dir / "run.log");
    ASSERT_TRUE(wait_until([&] { return fs::exists(csv) && fs::file_size(csv) > 100; }, 30s)) << kamgw.log();
    kamgw.send_signal(SIGTERM);
    EXPECT_EQ(kamgw.wait_exit(30s), 0) << kamgw.log();
    auto mode = [](const fs::path& p) {
        struct stat st {};
        EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
        return st.st_mode & 0777;
    };
    EXPECT_EQ(mode(csv), 0640u);
    EXPECT_EQ(mode(dir / "out"), 0750u);
    // Some state files are stricter still (a lock file is 0600); none is open to others.
    for (const auto& entry : fs::recursive_directory_iterator(dir / "state"))
        EXPECT_EQ(mode(entry.path()) & 0027u, 0u) << entry.path();
}

}  // namespace
}  // namespace kamgw::test
