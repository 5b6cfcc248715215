// A [[sink]] table whose keys have the right types but that its sink cannot start with (a port
// out of range, an InfluxDB 2 target without a bucket, a Home Assistant URL with another
// scheme) is refused by `kamgw check` with FILE:LINE:COLUMN of the key, and `kamgw run` refuses
// it the same way instead of starting a sink that can never work.
#include <gtest/gtest.h>
#include <pwd.h>
#include <unistd.h>

#include <string>

#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace kamgw::test {
namespace {

// check looks at files as the service user would; here that is the user running the test.
std::string current_user() {
    const passwd* pw = ::getpwuid(::geteuid());
    return pw ? pw->pw_name : "root";
}

struct Case {
    std::string name;
    std::string sink_table;  // starts on line 8 of the file
    std::string position;    // where the refusal points
    std::string message;     // what the sink says
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class SinkConfigCheck : public testing::TestWithParam<Case> {};

std::string config_with(const TempDir& dir, const std::string& sink_table) {
    return "[gateway]\n"
           "id = \"checks\"\n"
           "state_dir = \"" +
           (dir / "state").string() +
           "\"\n"
           "[[meter]]\n"
           "name = \"house\"\n"
           "url = \"sim://multical403\"\n"
           "interval = \"1h\"\n" +
           sink_table;
}

TEST_P(SinkConfigCheck, CheckAndRunRefuseItAlikeAtTheKey) {
    TempDir dir;
    const auto file = dir.write("kamgw.toml", config_with(dir, GetParam().sink_table));
    const std::string where = file.string() + ":" + GetParam().position;

    const auto check = run_command({kamgw_binary().string(), "check", "--user", current_user(), "-c", file.string()});
    EXPECT_EQ(check.exit_code, 78) << check.output;
    EXPECT_NE(check.output.find(where), std::string::npos) << check.output;
    EXPECT_NE(check.output.find(GetParam().message), std::string::npos) << check.output;
    EXPECT_EQ(check.output.find("password-in-url"), std::string::npos) << "a secret was printed:\n" << check.output;

    const auto run = run_command({kamgw_binary().string(), "run", "-c", file.string()}, std::chrono::seconds(20));
    EXPECT_EQ(run.exit_code, 78) << run.output;
    EXPECT_NE(run.output.find(GetParam().message), std::string::npos) << run.output;
    EXPECT_EQ(run.output.find("password-in-url"), std::string::npos) << "a secret was printed:\n" << run.output;
}

INSTANTIATE_TEST_SUITE_P(
    Sinks, SinkConfigCheck,
    testing::Values(
        Case{"mqtt_port", "[[sink]]\ntype = \"mqtt-ha\"\nurl = \"mqtt://127.0.0.1:99999\"\n", "10:7",
             "port must be a number from 1 to 65535"},
        Case{"mqtt_tls_files",
             "[[sink]]\ntype = \"mqtt-ha\"\nurl = \"mqtt://127.0.0.1\"\nca_file = \"/etc/hostname\"\n", "11:11",
             "ca_file, cert_file and key_file need an mqtts:// url"},
        Case{"mqtt_secret_in_url", "[[sink]]\ntype = \"mqtt-ha\"\nurl = \"mqtt://kamgw:password-in-url@127.0.0.1\"\n",
             "10:7", "give only host and port"},
        Case{"plain_mqtt_topic_overwrites",
             "[[sink]]\ntype = \"mqtt\"\nurl = \"mqtt://127.0.0.1\"\ntopic = \"kamgw/{gateway}/{key}\"\n", "11:9",
             "needs {meter} or {serial}"},
        Case{"plain_mqtt_unknown_placeholder",
             "[[sink]]\ntype = \"mqtt\"\nurl = \"mqtt://127.0.0.1\"\ntopic = \"kamgw/{meters}/{key}\"\n", "11:9",
             "unknown placeholder {meters}; accepted: {gateway}, {meter}, {serial}, {model}, {key}, {id}"},
        Case{"plain_mqtt_port", "[[sink]]\ntype = \"mqtt\"\nurl = \"mqtt://127.0.0.1:0\"\n", "10:7",
             "port must be a number from 1 to 65535"},
        Case{"influxdb_v2_without_bucket",
             "[[sink]]\ntype = \"influxdb\"\nurl = \"http://127.0.0.1:8086\"\napi = \"v2\"\norg = \"home\"\n", "11:7",
             "api v2 needs both `org` and `bucket`"},
        Case{"ha_websocket_scheme", "[[sink]]\ntype = \"ha-websocket\"\nurl = \"ftp://ha.local\"\ntoken = \"t\"\n",
             "10:7", "expected http://host:8123 or https://host"}),
    [](const testing::TestParamInfo<Case>& info) { return info.param.name; });

// A table every sink accepts passes, and a sink without a check of its own (csv) is unaffected.
TEST(SinkConfigCheckPasses, GoodTablesPass) {
    TempDir dir;
    const auto file =
        dir.write("kamgw.toml", config_with(dir,
                                            "[[sink]]\ntype = \"mqtt-ha\"\nurl = \"mqtt://127.0.0.1:1883\"\n"
                                            "[[sink]]\ntype = \"mqtt\"\nurl = \"mqtt://127.0.0.1:1883\"\n"
                                            "payload = \"poll\"\n"
                                            "[[sink]]\ntype = \"influxdb\"\nurl = \"http://127.0.0.1:8086\"\n"
                                            "database = \"kamstrup\"\n"
                                            "[[sink]]\ntype = \"csv\"\npath = \"" +
                                                (dir / "r.csv").string() + "\"\n"));
    const auto check = run_command({kamgw_binary().string(), "check", "--user", current_user(), "-c", file.string()});
    EXPECT_EQ(check.exit_code, 0) << check.output;
}

}  // namespace
}  // namespace kamgw::test
