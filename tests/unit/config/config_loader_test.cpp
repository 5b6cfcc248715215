#include <gtest/gtest.h>

#include "core/config/config_loader.hpp"
#include "tests/unit/config/test_plugins.hpp"

namespace kamgw::config {
namespace {

using std::chrono::milliseconds;
using test::position_of;

const StaticPluginSchemas plugins = test::all_plugins();

LoadOptions options() {
    LoadOptions o;
    o.default_gateway_id = "testhost";
    o.credentials_dir = std::filesystem::path{};  // never pick up the environment's credentials
    return o;
}

Config load(std::string_view text) { return load_config_text(text, "main.toml", plugins, options()); }

// The issues a text produces; fails the test if it loads.
std::vector<ConfigIssue> issues_of(std::string_view text) {
    try {
        load(text);
    } catch (const ConfigErrors& e) {
        return e.issues();
    }
    ADD_FAILURE() << "expected configuration errors in:\n" << text;
    return {};
}

const ConfigIssue* find_issue(const std::vector<ConfigIssue>& issues, std::string_view key) {
    for (const ConfigIssue& i : issues)
        if (i.key == key) return &i;
    return nullptr;
}

TEST(ConfigLoader, GoodConfigRoundTrip) {
    const Config c = load(R"(
[gateway]
id = "boiler-room"
log_level = "debug"
plugin_dirs = ["/opt/kamgw/plugins"]
state_dir = "/srv/kamgw"
metrics_listen = "127.0.0.1:9780"
shutdown_timeout = "10s"
read_now_min_interval = "2min"

[[meter]]
name = "house"
url = "/dev/serial/by-id/usb-FTDI-if00-port0?echo=true"
interval = "15min"
align = true
registers = ["heat_energy", "volume", 86, "0x3d"]
register_intervals = { volume = "1min" }
timeout = "3s"
inter_byte_timeout = "500ms"
address = 16
model = "MULTICAL 403"
baud = 2400
parity = "even"
data_bits = 7
stop_bits = 1

[[meter]]
name = "flat_2"
url = "socket://10.0.0.5:2001?connect_timeout=3s"
line_group = "bus-a"

[[sink]]
type = "csv"
path = "/var/lib/kamgw/readings.csv"
batch_size = 50
flush_interval = "30s"

[[sink]]
type = "mqtt-ha"
name = "ha"
url = "mqtt://localhost:1883"
retry_initial = "2s"
retry_max = "10min"
queue_max_batches = 500
queue_max_bytes = 1048576
)");
    EXPECT_EQ(c.gateway.id, "boiler-room");
    EXPECT_EQ(c.gateway.log_level, "debug");
    ASSERT_EQ(c.gateway.plugin_dirs.size(), 1u);
    EXPECT_EQ(c.gateway.plugin_dirs[0], "/opt/kamgw/plugins");
    EXPECT_EQ(c.gateway.state_dir, "/srv/kamgw");
    EXPECT_EQ(c.gateway.metrics_listen, "127.0.0.1:9780");
    EXPECT_EQ(c.gateway.shutdown_timeout, milliseconds(10'000));
    EXPECT_EQ(c.gateway.read_now_min_interval, milliseconds(120'000));

    ASSERT_EQ(c.meters.size(), 2u);
    const MeterConfig& m = c.meters[0];
    EXPECT_EQ(m.name, "house");
    EXPECT_EQ(m.endpoint.scheme, "serial");
    EXPECT_EQ(m.endpoint.path, "/dev/serial/by-id/usb-FTDI-if00-port0");
    EXPECT_TRUE(m.transport_options.get_bool("echo"));
    EXPECT_TRUE(m.transport_options.get_bool("exclusive"));  // the transport's default
    EXPECT_EQ(m.interval, milliseconds(900'000));
    EXPECT_TRUE(m.align);
    ASSERT_EQ(m.registers.size(), 4u);
    EXPECT_EQ(m.registers[0].info.key, "heat_energy");
    EXPECT_EQ(m.registers[0].info.id, 60);
    EXPECT_EQ(m.registers[1].info.key, "volume");
    EXPECT_EQ(m.registers[1].every, milliseconds(60'000));
    EXPECT_EQ(m.registers[0].every, milliseconds(0));
    EXPECT_EQ(m.registers[2].info.id, 86);
    EXPECT_EQ(m.registers[3].info.id, 0x3d);
    EXPECT_EQ(m.timeout, milliseconds(3000));
    EXPECT_EQ(m.inter_byte_timeout, milliseconds(500));
    EXPECT_EQ(m.address, 16);
    EXPECT_EQ(m.model, "MULTICAL 403");
    EXPECT_EQ(m.line.baud, 2400u);
    EXPECT_EQ(m.line.parity, 'E');
    EXPECT_EQ(m.line.data_bits, 7u);
    EXPECT_EQ(m.line.stop_bits, 1u);
    EXPECT_EQ(m.line_group, "/dev/serial/by-id/usb-FTDI-if00-port0");
    EXPECT_EQ(m.position.to_string(), "main.toml:11:1");

    const MeterConfig& f = c.meters[1];
    EXPECT_EQ(f.endpoint.scheme, "socket");
    EXPECT_EQ(f.endpoint.host, "10.0.0.5");
    EXPECT_EQ(f.transport_options.get_duration("connect_timeout"), milliseconds(3000));
    EXPECT_EQ(f.transport_options.get_int("retries"), 3);
    EXPECT_EQ(f.line_group, "bus-a");

    ASSERT_EQ(c.sinks.size(), 2u);
    EXPECT_EQ(c.sinks[0].type, "csv");
    EXPECT_EQ(c.sinks[0].name, "csv");
    EXPECT_EQ(c.sinks[0].batch_size, 50u);
    EXPECT_EQ(c.sinks[0].flush_interval, milliseconds(30'000));
    EXPECT_EQ(c.sinks[0].options.get_string("path"), "/var/lib/kamgw/readings.csv");
    EXPECT_EQ(c.sinks[0].options.get_int("decimals"), 3);
    EXPECT_FALSE(c.sinks[0].options.has("batch_size"));  // core keys stay out of the plugin's table
    EXPECT_FALSE(c.sinks[0].options.has("type"));
    EXPECT_EQ(c.sinks[1].name, "ha");
    EXPECT_EQ(c.sinks[1].retry_initial, milliseconds(2000));
    EXPECT_EQ(c.sinks[1].retry_max, milliseconds(600'000));
    EXPECT_EQ(c.sinks[1].queue_max_batches, 500u);
    EXPECT_EQ(c.sinks[1].queue_max_bytes, 1048576u);
    EXPECT_EQ(c.sinks[1].options.get_int("qos"), 1);
}

TEST(ConfigLoader, DefaultsApplied) {
    const Config c = load(R"(
[[meter]]
name = "m"
url = "sim://multical403"

[[sink]]
type = "csv"
path = "x.csv"

[[sink]]
type = "csv"
path = "y.csv"
)");
    EXPECT_EQ(c.gateway.id, "testhost");
    EXPECT_EQ(c.gateway.log_level, "info");
    EXPECT_EQ(c.gateway.state_dir, "/var/lib/kamgw");
    EXPECT_TRUE(c.gateway.metrics_listen.empty());
    EXPECT_EQ(c.gateway.shutdown_timeout, milliseconds(5000));
    EXPECT_EQ(c.gateway.read_now_min_interval, milliseconds(60'000));
    const MeterConfig& m = c.meters.at(0);
    EXPECT_EQ(m.interval, std::chrono::hours(1));
    EXPECT_FALSE(m.align);
    EXPECT_EQ(m.timeout, milliseconds(2000));
    EXPECT_EQ(m.inter_byte_timeout, milliseconds(300));
    EXPECT_EQ(m.address, 0x3F);
    EXPECT_EQ(m.line.baud, 1200u);
    EXPECT_EQ(m.line.parity, 'N');
    EXPECT_EQ(m.line.data_bits, 8u);
    EXPECT_EQ(m.line.stop_bits, 2u);
    EXPECT_EQ(m.line_group, "sim://multical403");
    // The catalogue's default registers: 60, 266, 68, 99, 113, 1001, 1004.
    std::vector<std::uint16_t> ids;
    for (const auto& r : m.registers) ids.push_back(r.info.id);
    EXPECT_EQ(ids, (std::vector<std::uint16_t>{60, 266, 68, 99, 113, 1001, 1004}));
    ASSERT_EQ(c.sinks.size(), 2u);
    EXPECT_EQ(c.sinks[0].name, "csv");
    EXPECT_EQ(c.sinks[1].name, "csv.2");
    EXPECT_EQ(c.sinks[0].batch_size, 0u);
    EXPECT_FALSE(c.sinks[0].flush_interval.has_value());
    EXPECT_EQ(c.sinks[0].queue_max_batches, 0u);
    EXPECT_EQ(c.sinks[0].retry_initial, milliseconds(1000));
    EXPECT_EQ(c.sinks[0].retry_max, milliseconds(300'000));
    EXPECT_EQ(c.sinks[0].options.get_string("delimiter"), ",");
}

TEST(ConfigLoader, MisspeltKeyListsAcceptedKeys) {
    const std::string text = "[[meter]]\nname = \"m\"\nurl = \"sim://x\"\n  intervall = \"1h\"\n";
    const auto issues = issues_of(text);
    ASSERT_EQ(issues.size(), 1u);
    EXPECT_EQ(issues[0].key, "meter[0].intervall");
    EXPECT_EQ(issues[0].where.to_string(), "main.toml:4:3");
    EXPECT_EQ(issues[0].message, "unknown key 'intervall' (did you mean 'interval'?)");
    EXPECT_EQ(issues[0].accepted,
              "name, url, interval, align, timeout, inter_byte_timeout, address, model, baud, parity, data_bits, "
              "stop_bits, line_group, registers, register_intervals, chart");
}

TEST(ConfigLoader, WrongTypeBadDurationAndRange) {
    const std::string text = R"([[meter]]
name = "m"
url = "sim://x"
interval = 3600
timeout = "2 secs"
address = 300
align = "yes"

[[meter]]
name = "n"
url = "sim://y"
interval = "500ms"
)";
    const auto issues = issues_of(text);
    ASSERT_EQ(issues.size(), 5u) << render_issues(issues);
    const ConfigIssue* interval = find_issue(issues, "meter[0].interval");
    ASSERT_TRUE(interval);
    EXPECT_EQ(interval->where.to_string(), "main.toml:4:12");
    EXPECT_NE(interval->message.find("needs a unit"), std::string::npos);
    const ConfigIssue* timeout = find_issue(issues, "meter[0].timeout");
    ASSERT_TRUE(timeout);
    EXPECT_EQ(timeout->where.to_string(), "main.toml:5:11");
    EXPECT_EQ(timeout->message, "bad duration \"2 secs\": unknown unit 'secs'");
    EXPECT_NE(timeout->accepted.find("\"10min\""), std::string::npos);
    const ConfigIssue* address = find_issue(issues, "meter[0].address");
    ASSERT_TRUE(address);
    EXPECT_EQ(address->where.to_string(), "main.toml:6:11");
    EXPECT_EQ(address->message, "300 is out of range");
    EXPECT_EQ(address->accepted, "an integer from 0 to 255");
    const ConfigIssue* align = find_issue(issues, "meter[0].align");
    ASSERT_TRUE(align);
    EXPECT_EQ(align->message, "expected a boolean, got a string");
    const ConfigIssue* short_interval = find_issue(issues, "meter[1].interval");
    ASSERT_TRUE(short_interval);
    EXPECT_EQ(short_interval->where.to_string(), "main.toml:12:12");
    EXPECT_EQ(short_interval->message, "duration 500ms is out of range");
    EXPECT_NE(short_interval->accepted.find("from 1s to 7d"), std::string::npos);
}

TEST(ConfigLoader, UnknownSinkTypeListsKnownTypes) {
    const std::string text = "[[sink]]\ntype = \"mqtt_ha\"\nurl = \"mqtt://x\"\n";
    const auto issues = issues_of(text);
    ASSERT_EQ(issues.size(), 1u) << render_issues(issues);
    EXPECT_EQ(issues[0].key, "sink[0].type");
    EXPECT_EQ(issues[0].where.to_string(), "main.toml:2:8");
    EXPECT_EQ(issues[0].message, "no loaded sink plugin is called 'mqtt_ha' (did you mean 'mqtt-ha'?)");
    EXPECT_EQ(issues[0].accepted, "csv, mqtt-ha");
}

TEST(ConfigLoader, UnknownUrlSchemeListsKnownSchemes) {
    const std::string text = "[[meter]]\nname = \"m\"\nurl = \"rfc2217://host:2001\"\n";
    const auto issues = issues_of(text);
    ASSERT_EQ(issues.size(), 1u) << render_issues(issues);
    EXPECT_EQ(issues[0].key, "meter[0].url");
    EXPECT_EQ(issues[0].where.to_string(), "main.toml:3:7");
    EXPECT_EQ(issues[0].message, "no loaded transport plugin serves the URL scheme 'rfc2217'");
    EXPECT_EQ(issues[0].accepted, "URLs with the schemes serial, sim, socket, tcp");
}

TEST(ConfigLoader, UrlOptionsAreValidatedAgainstTheTransport) {
    const std::string text = "[[meter]]\nname = \"m\"\nurl = \"tcp://h:1?retries=20&timeout=1s\"\n";
    const auto issues = issues_of(text);
    ASSERT_EQ(issues.size(), 2u) << render_issues(issues);
    EXPECT_EQ(issues[0].key, "meter[0].url.timeout");
    EXPECT_EQ(issues[0].where.to_string(), "main.toml:3:7");
    EXPECT_EQ(issues[0].accepted, "connect_timeout, retries");
    EXPECT_EQ(issues[1].key, "meter[0].url.retries");
    EXPECT_EQ(issues[1].accepted, "an integer from 0 to 10");
}

TEST(ConfigLoader, MissingRequiredKeys) {
    const std::string text = "[gateway]\nid = \"g\"\n\n[[meter]]\nname = \"m\"\n\n[[sink]]\ntype = \"csv\"\n";
    const auto issues = issues_of(text);
    ASSERT_EQ(issues.size(), 2u) << render_issues(issues);
    EXPECT_EQ(issues[0].key, "meter[0].url");
    EXPECT_EQ(issues[0].where.to_string(), "main.toml:4:1");
    EXPECT_EQ(issues[0].message, "required key 'url' is missing");
    EXPECT_EQ(issues[1].key, "sink[0].path");
    EXPECT_EQ(issues[1].where.to_string(), "main.toml:7:1");
    EXPECT_EQ(issues[1].accepted, "a path string");
}

TEST(ConfigLoader, UnknownRegisterListsCloseMatches) {
    const std::string text = "[[meter]]\nname = \"m\"\nurl = \"sim://x\"\nregisters = [\"volume\", \"heat_enrgy\"]\n";
    const auto issues = issues_of(text);
    ASSERT_EQ(issues.size(), 1u) << render_issues(issues);
    EXPECT_EQ(issues[0].key, "meter[0].registers");
    EXPECT_EQ(issues[0].where.to_string(), "main.toml:4:24");
    EXPECT_NE(issues[0].message.find("unknown register 'heat_enrgy' (did you mean 'heat_energy'"), std::string::npos)
        << issues[0].message;
}

TEST(ConfigLoader, EmptyRegisterListIsAnError) {
    const auto issues = issues_of("[[meter]]\nname = \"m\"\nurl = \"sim://x\"\nregisters = []\n");
    ASSERT_EQ(issues.size(), 1u) << render_issues(issues);
    EXPECT_EQ(issues[0].where.to_string(), "main.toml:4:13");
    EXPECT_EQ(issues[0].message, "the list is empty, so nothing would be read");
}

TEST(ConfigLoader, IssuesAreInLineOrder) {
    const auto issues = issues_of("[[meter]]\nurl = 5\nnaem = \"x\"\nname = \"m\"\ninterval = \"1\"\nbogus = 1\n");
    ASSERT_EQ(issues.size(), 4u) << render_issues(issues);
    for (std::size_t i = 1; i < issues.size(); ++i) EXPECT_LT(issues[i - 1].where.line, issues[i].where.line);
}

TEST(ConfigLoader, RegisterIntervalsMustNameConfiguredRegisters) {
    const std::string text =
        "[[meter]]\nname = \"m\"\nurl = \"sim://x\"\nregisters = [\"volume\"]\nregister_intervals = { flow = \"1min\", "
        "volume = \"5\" }\n";
    const auto issues = issues_of(text);
    ASSERT_EQ(issues.size(), 2u) << render_issues(issues);
    EXPECT_EQ(issues[0].key, "meter[0].register_intervals.flow");
    const auto [line, column] = position_of(text, "flow =");
    EXPECT_EQ(issues[0].where.line, line);
    EXPECT_EQ(issues[0].where.column, column);
    EXPECT_EQ(issues[0].accepted, "volume");
    EXPECT_EQ(issues[1].key, "meter[0].register_intervals.volume");
    EXPECT_NE(issues[1].message.find("no unit"), std::string::npos);
}

TEST(ConfigLoader, ChartNamesRegistersTheMeterReads) {
    const std::string text =
        "[[meter]]\nname = \"m\"\nurl = \"sim://x\"\nregisters = [\"volume\", \"t_forward\"]\n"
        "chart = [\"t_forward\", \"flow\", \"t_forwrd\"]\n";
    const auto issues = issues_of(text);
    ASSERT_EQ(issues.size(), 2u) << render_issues(issues);
    EXPECT_EQ(issues[0].key, "meter[0].chart");
    EXPECT_EQ(issues[0].message, "'flow' is not one of this meter's registers");
    EXPECT_EQ(issues[0].accepted, "volume, t_forward");
    const auto [line, column] = position_of(text, "\"flow\"");
    EXPECT_EQ(issues[0].where.line, line);
    EXPECT_EQ(issues[0].where.column, column);
    EXPECT_NE(issues[1].message.find("did you mean"), std::string::npos) << issues[1].message;
    const auto ok = load(
        "[[meter]]\nname = \"m\"\nurl = \"sim://x\"\nregisters = [\"volume\", \"t_forward\"]\nchart = "
        "[\"t_forward\"]\n");
    ASSERT_EQ(ok.meters.size(), 1u);
    EXPECT_EQ(ok.meters[0].chart, std::vector<std::string>{"t_forward"});
}

TEST(ConfigLoader, BadMeterNameAndDuplicateInOneFile) {
    const std::string text =
        "[[meter]]\nname = \"a b\"\nurl = \"sim://x\"\n[[meter]]\nname = \"ok\"\nurl = \"sim://x\"\n"
        "[[meter]]\nname = \"ok\"\nurl = \"sim://y\"\n";
    const auto issues = issues_of(text);
    ASSERT_EQ(issues.size(), 2u) << render_issues(issues);
    EXPECT_EQ(issues[0].key, "meter[0].name");
    EXPECT_EQ(issues[0].accepted, "letters, digits, '_' and '-' ([A-Za-z0-9_-]+)");
    EXPECT_EQ(issues[1].key, "meter[2].name");
    EXPECT_EQ(issues[1].where.to_string(), "main.toml:8:8");
    EXPECT_EQ(issues[1].message, "meter name 'ok' is already defined at main.toml:5:8");
}

TEST(ConfigLoader, SyntaxErrorHasParserPosition) {
    const auto issues = issues_of("[gateway]\nid = \"x\"\nlog_level = \n");
    ASSERT_EQ(issues.size(), 1u);
    EXPECT_EQ(issues[0].where.file, "main.toml");
    EXPECT_EQ(issues[0].where.line, 3u);
    EXPECT_EQ(issues[0].where.column, 13u);
    EXPECT_TRUE(issues[0].key.empty());
    EXPECT_EQ(issues[0].message.rfind("TOML syntax error: ", 0), 0u) << issues[0].message;
}

TEST(ConfigLoader, StructuralMistakes) {
    const std::string text = "meter = { name = \"m\" }\nsinks = []\ngateway = 3\n";
    const auto issues = issues_of(text);
    ASSERT_EQ(issues.size(), 3u) << render_issues(issues);
    const ConfigIssue* meter = find_issue(issues, "meter");
    ASSERT_TRUE(meter);
    EXPECT_EQ(meter->message, "must be an array of tables, written [[meter]]");
    const ConfigIssue* sinks = find_issue(issues, "sinks");
    ASSERT_TRUE(sinks);
    EXPECT_EQ(sinks->message, "unknown top-level key 'sinks' (did you mean 'sink'?)");
    EXPECT_EQ(sinks->where.to_string(), "main.toml:2:1");
    EXPECT_TRUE(find_issue(issues, "gateway"));
}

TEST(ConfigLoader, GatewayChecks) {
    const std::string text = "[gateway]\nid = \"a/b\"\nmetrics_listen = \"9780\"\nlog_level = \"verbose\"\nretry = 1\n";
    const auto issues = issues_of(text);
    ASSERT_EQ(issues.size(), 4u) << render_issues(issues);
    EXPECT_EQ(find_issue(issues, "gateway.retry")->where.to_string(), "main.toml:5:1");
    EXPECT_EQ(find_issue(issues, "gateway.log_level")->accepted, "'trace', 'debug', 'info', 'warn' or 'error'");
    EXPECT_EQ(find_issue(issues, "gateway.id")->where.to_string(), "main.toml:2:6");
    EXPECT_EQ(find_issue(issues, "gateway.metrics_listen")->where.to_string(), "main.toml:3:18");
}

TEST(ConfigLoader, SinkNamesAreUnique) {
    const std::string text =
        "[[sink]]\ntype = \"csv\"\nname = \"out\"\npath = \"a\"\n"
        "[[sink]]\ntype = \"csv\"\nname = \"out\"\npath = \"b\"\nretry_initial = \"1min\"\n"
        "retry_max = \"1s\"\n";
    const auto issues = issues_of(text);
    ASSERT_EQ(issues.size(), 2u) << render_issues(issues);
    EXPECT_EQ(issues[0].key, "sink[1].name");
    EXPECT_EQ(issues[0].message, "sink name 'out' is already used at main.toml:3:8");
    EXPECT_EQ(issues[1].key, "sink[1].retry_max");
}

}  // namespace
}  // namespace kamgw::config
