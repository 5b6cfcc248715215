// `kamgw decode` and `kamgw registers` as a user runs them: the real binary, arguments,
// stdin and exit codes.
#include <gtest/gtest.h>
#include <sysexits.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/support/process.hpp"

namespace kamgw::test {
namespace {

std::vector<nlohmann::json> json_lines(const std::string& output) {
    std::vector<nlohmann::json> out;
    std::istringstream in(output);
    std::string line;
    while (std::getline(in, line))
        if (!line.empty()) out.push_back(nlohmann::json::parse(line));
    return out;
}

TEST(KmpCli, DecodeArgumentsAsOneByteStream) {
    const auto r = run_command({kamgw_binary().string(), "decode", "80", "3f", "10", "01", "00", "3c", "b2", "5f", "0d",
                                "403F10003C0304430000D6DE03220D"});
    EXPECT_EQ(r.exit_code, EX_OK) << r.output;
    const auto lines = json_lines(r.output);
    ASSERT_EQ(lines.size(), 2u) << r.output;
    EXPECT_EQ(lines[1]["registers"][0]["key"], "heat_energy");
    EXPECT_NE(r.output.find("\"value\":55.006"), std::string::npos) << r.output;
}

TEST(KmpCli, DecodeStdinDebugLogAndBadCrcExitCode) {
    const std::string log =
        "Write: 80 3f 02 35 e9 0d\n"
        "Read: 40\nRead: 3f\nRead: 02\nRead: 01\nRead: 23\nRead: 45\nRead: 67\nRead: e9\nRead: 56\nRead: 0d\n";
    auto r = run_command({kamgw_binary().string(), "decode", "-"}, std::chrono::seconds(60), log);
    EXPECT_EQ(r.exit_code, EX_OK) << r.output;
    auto lines = json_lines(r.output);
    ASSERT_EQ(lines.size(), 2u) << r.output;
    EXPECT_EQ(lines[1]["serial"], "19088743");

    r = run_command({kamgw_binary().string(), "decode"}, std::chrono::seconds(60), "40 3f 02 01 23 45 67 e9 57 0d\n");
    EXPECT_EQ(r.exit_code, EX_DATAERR) << r.output;
    lines = json_lines(r.output);
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_EQ(lines[0]["crc_ok"], false);
    EXPECT_FALSE(lines[0].contains("serial"));
}

TEST(KmpCli, DecodeUsageErrors) {
    EXPECT_EQ(run_command({kamgw_binary().string(), "decode", "--address", "0x1ff", "803f01058a0d"}).exit_code,
              EX_USAGE);
    EXPECT_EQ(run_command({kamgw_binary().string(), "decode", "--no-such-option"}).exit_code, EX_USAGE);
    const auto help = run_command({kamgw_binary().string(), "decode", "--help"});
    EXPECT_EQ(help.exit_code, EX_OK);
    EXPECT_NE(help.output.find("--address"), std::string::npos);
}

TEST(KmpCli, RegistersTableAndJson) {
    const auto table = run_command({kamgw_binary().string(), "registers"});
    EXPECT_EQ(table.exit_code, EX_OK);
    EXPECT_NE(table.output.find("heat_energy"), std::string::npos);
    EXPECT_NE(table.output.find("hour_counter"), std::string::npos);

    const auto json = run_command({kamgw_binary().string(), "registers", "--json"});
    EXPECT_EQ(json.exit_code, EX_OK);
    const auto lines = json_lines(json.output);
    EXPECT_GE(lines.size(), 70u);
    int on = 0;
    for (const auto& l : lines) {
        if (l["on_by_default"] == true) ++on;
        if (l["key"] == "t_diff") {
            EXPECT_TRUE(l["device_class"].is_null());
        }
        if (l["key"] == "flow") {
            EXPECT_EQ(l["device_class"], "volume_flow_rate");
        }
    }
    EXPECT_EQ(on, 7);
}

}  // namespace
}  // namespace kamgw::test
