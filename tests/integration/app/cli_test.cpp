// The command line as a user meets it: exit codes, check's verdicts and read's output.
#include <gtest/gtest.h>
#include <pwd.h>
#include <unistd.h>
#include <nlohmann/json.hpp>

#include <sstream>

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

CommandResult kamgw(std::vector<std::string> args) {
    args.insert(args.begin(), kamgw_binary().string());
    return run_command(args, std::chrono::seconds(60));
}

TEST(KamgwCli, VersionAndHelp) {
    auto v = kamgw({"--version"});
    EXPECT_EQ(v.exit_code, 0);
    EXPECT_NE(v.output.find("kamgw 0.1.0"), std::string::npos) << v.output;
    auto h = kamgw({"--help"});
    EXPECT_EQ(h.exit_code, 0);
    for (const char* cmd : {"run", "check", "read", "scan", "align", "decode", "registers", "plugins", "sim"})
        EXPECT_NE(h.output.find(cmd), std::string::npos) << cmd;
    for (const char* cmd : {"run", "check", "read", "scan", "align", "decode", "registers", "plugins", "sim"}) {
        auto r = kamgw({cmd, "--help"});
        EXPECT_EQ(r.exit_code, 0) << cmd << ": " << r.output;
        EXPECT_FALSE(r.output.empty()) << cmd;
    }
}

TEST(KamgwCli, UnknownCommandIsAUsageError) {
    auto r = kamgw({"frobnicate"});
    EXPECT_EQ(r.exit_code, 64);
    EXPECT_NE(r.output.find("unknown command 'frobnicate'"), std::string::npos) << r.output;
}

TEST(KamgwCli, CheckAcceptsTheDemoConfiguration) {
    auto r = kamgw({"check", "--user", current_user(), "-c", (source_dir() / "etc/demo.toml").string()});
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("configuration OK"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("sim://multical403"), std::string::npos) << r.output;
}

TEST(KamgwCli, CheckAcceptsThePackagedConfiguration) {
    auto r = kamgw({"check", "--user", current_user(), "-c", (source_dir() / "etc/kamgw.toml").string()});
    EXPECT_EQ(r.exit_code, 0) << r.output;
}

TEST(KamgwCli, CheckNamesFileLineColumnAndTheAcceptedKeysForAMisspeltKey) {
    TempDir dir;
    const auto file = dir.write("kamgw.toml",
                                "[gateway]\n"
                                "id = \"test\"\n"
                                "\n"
                                "[[meter]]\n"
                                "name = \"house\"\n"
                                "url = \"sim://multical403\"\n"
                                "intervall = \"1h\"\n");
    auto r = kamgw({"check", "--user", current_user(), "-c", file.string()});
    EXPECT_EQ(r.exit_code, 78) << r.output;
    EXPECT_NE(r.output.find(file.string() + ":7:1"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("intervall"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("interval"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("accepted"), std::string::npos) << r.output;
}

TEST(KamgwCli, CheckRejectsAnUnknownSinkTypeAndListsTheKnownOnes) {
    TempDir dir;
    const auto file = dir.write("kamgw.toml", "[[sink]]\ntype = \"mqqt-ha\"\n");
    auto r = kamgw({"check", "--user", current_user(), "-c", file.string()});
    EXPECT_EQ(r.exit_code, 78) << r.output;
    EXPECT_NE(r.output.find(":2:"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("csv"), std::string::npos) << r.output;
}

TEST(KamgwCli, CheckNeverPrintsASecret) {
    TempDir dir;
    dir.write("pw", "hunter2-very-secret\n");
    const auto file = dir.write("kamgw.toml",
                                "[[sink]]\ntype = \"mqtt-ha\"\nurl = \"mqtt://127.0.0.1:1\"\n"
                                "username = \"u\"\npassword_file = \"" +
                                    (dir / "pw").string() + "\"\n");
    auto r = kamgw({"check", "--user", current_user(), "-c", file.string()});
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_EQ(r.output.find("hunter2"), std::string::npos) << r.output;
}

TEST(KamgwCli, ReadJsonPrintsOneObjectPerReadingWithExactValues) {
    auto r = kamgw({"read", "sim://multical403?serial=4242", "--json", "--registers", "heat_energy,flow,1004"});
    ASSERT_EQ(r.exit_code, 0) << r.output;
    std::istringstream lines(r.output);
    std::vector<nlohmann::json> readings;
    for (std::string line; std::getline(lines, line);) {
        if (line.empty() || line.front() != '{') continue;
        readings.push_back(nlohmann::json::parse(line));
    }
    ASSERT_EQ(readings.size(), 3u) << r.output;
    std::vector<std::string> keys;
    for (const auto& j : readings) {
        for (const char* field : {"meter", "serial", "id", "key", "value", "unit", "time"})
            EXPECT_TRUE(j.contains(field)) << field << " missing in " << j.dump();
        EXPECT_EQ(j["serial"], "4242");
        EXPECT_TRUE(j["value"].is_number()) << j.dump();
        keys.push_back(j["key"]);
    }
    EXPECT_EQ(keys, (std::vector<std::string>{"heat_energy", "flow", "hour_counter"}));
    EXPECT_EQ(readings[2]["id"], 1004);
    // The exact decimal as the meter sent it: printed digits, not a double's expansion.
    EXPECT_EQ(r.output.find("000000000"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace kamgw::test
