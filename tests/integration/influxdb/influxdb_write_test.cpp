// The influxdb sink, loaded as a plugin, against a real influxd 1.6 started by the test.
#include <gtest/gtest.h>

#include "kamgw/plugin.hpp"
#include "plugins/sink-influxdb/tests/test_batches.hpp"
#include "tests/integration/influxdb/influxd_server.hpp"
#include "tests/integration/influxdb/influxdb_plugin.hpp"
#include "tests/support/temp_dir.hpp"

namespace kamgw::influxdb {
namespace {

using namespace test;

ConfigTable v1_config(const InfluxdServer& server, const std::string& db) {
    ConfigTable t;
    t.set("url", server.url());
    t.set("database", db);
    t.set("precision", std::string("s"));
    t.set("timeout", std::chrono::milliseconds(10000));
    return t;
}

class InfluxdbIntegration : public ::testing::Test {
protected:
    kamgw::test::TempDir dir;
    LoadedPlugin plugin;
};

TEST_F(InfluxdbIntegration, NarrowPointsReadBackWithExactValues) {
    InfluxdServer server(dir.path());
    server.execute("CREATE DATABASE kamstrup");
    TestHost host(v1_config(server, "kamstrup"));
    auto sink = plugin.make_sink();
    sink->start(host);

    std::vector<ReadingBatch> polls;
    for (int meter = 0; meter < 3; ++meter)
        for (int poll = 0; poll < 4; ++poll)
            polls.push_back(mc403_poll("meter " + std::to_string(meter), std::to_string(10000000 + meter),
                                       at_seconds(1700000000 + poll * 3600), poll));
    polls[0].readings[0].value = dec("1917.57");  // the value that doubles turn into 1917.5700000000002
    const WriteResult r = sink->write(polls);
    ASSERT_EQ(r.code, WriteResult::Code::ok) << r.message;
    sink->stop();

    EXPECT_EQ(server.count("kamstrup", "kamstrup"), 3 * 4 * 7);
    std::string raw;
    const auto j = server.query("kamstrup",
                                "SELECT value, unit, model, serial FROM kamstrup WHERE meter = 'meter 0' AND \"key\" = "
                                "'heat_energy' ORDER BY time",
                                &raw);
    EXPECT_NE(raw.find("[1700000000,1917.57,\"GJ\",\"MULTICAL 403\",\"10000000\"]"), std::string::npos) << raw;
    const auto& values = j.at("results").at(0).at("series").at(0).at("values");
    ASSERT_EQ(values.size(), 4u);
    for (std::size_t i = 0; i < values.size(); ++i) {
        const Decimal sent = polls[i].readings[0].value;
        const auto back = Decimal::parse(values[i][1].dump());
        ASSERT_TRUE(back.has_value()) << values[i][1].dump();
        EXPECT_TRUE(back->numerically_equal(sent)) << values[i][1].dump() << " vs " << sent.to_string();
        EXPECT_EQ(values[i][0].get<std::int64_t>(), 1700000000 + static_cast<std::int64_t>(i) * 3600);
    }
}

TEST_F(InfluxdbIntegration, WideLayoutWithGzipIsOnePointPerPoll) {
    InfluxdServer server(dir.path());
    server.execute("CREATE DATABASE kamstrup");
    ConfigTable t = v1_config(server, "kamstrup");
    t.set("layout", std::string("wide"));
    t.set("gzip", true);
    t.set("measurement", std::string("heat meter"));
    t.set("precision", std::string("ms"));
    TestHost host(std::move(t));
    auto sink = plugin.make_sink();
    sink->start(host);
    std::vector<ReadingBatch> polls;
    for (int poll = 0; poll < 5; ++poll)
        polls.push_back(mc403_poll("house", "1", at_seconds(1700000000 + poll, 250000000), poll));
    ASSERT_EQ(sink->write(polls).code, WriteResult::Code::ok);
    sink->stop();

    EXPECT_EQ(server.count("kamstrup", "heat meter", "heat_energy"), 5);
    std::string raw;
    server.query("kamstrup", "SELECT heat_energy, volume, t_forward FROM \"heat meter\" ORDER BY time LIMIT 1", &raw);
    EXPECT_NE(raw.find("1917.57,200.125,61.37"), std::string::npos) << raw;
}

TEST_F(InfluxdbIntegration, AnUnparsableLineIsDroppedAndTheRestIsWritten) {
    InfluxdServer server(dir.path());
    server.execute("CREATE DATABASE kamstrup");
    TestHost host(v1_config(server, "kamstrup"));
    auto sink = plugin.make_sink();
    sink->start(host);
    // A tag value ending in a backslash escapes the separator after it: InfluxDB cannot parse
    // that line and says so, naming it.
    std::vector<ReadingBatch> polls = {mc403_poll("good", "1", at_seconds(1700000000), 0),
                                       mc403_poll("bad\\", "2", at_seconds(1700000000), 0),
                                       mc403_poll("good", "1", at_seconds(1700003600), 1)};
    polls[1].readings.resize(1);
    const WriteResult r = sink->write(polls);
    EXPECT_EQ(r.code, WriteResult::Code::ok) << r.message;
    sink->stop();
    EXPECT_EQ(server.count("kamstrup", "kamstrup"), 14);
    EXPECT_NE(host.logger.joined().find("could not parse a point"), std::string::npos) << host.logger.joined();
    EXPECT_NE(host.logger.joined().find("meter=bad\\"), std::string::npos) << host.logger.joined();
}

TEST_F(InfluxdbIntegration, MissingDatabaseAndWrongPasswordAreExplainedRetries) {
    InfluxdServer server(dir.path(), /*auth=*/true);
    server.execute("CREATE USER admin WITH PASSWORD 'right-pw' WITH ALL PRIVILEGES");

    ConfigTable wrong = v1_config(server, "kamstrup");
    wrong.set("username", std::string("admin"));
    wrong.set("password", std::string("wrong-pw"));
    TestHost wrong_host(std::move(wrong));
    auto sink = plugin.make_sink();
    sink->start(wrong_host);
    const std::vector<ReadingBatch> polls = {mc403_poll("house", "1", at_seconds(1700000000), 0)};
    WriteResult r = sink->write(polls);
    EXPECT_EQ(r.code, WriteResult::Code::retry);
    EXPECT_NE(r.message.find("401"), std::string::npos) << r.message;
    EXPECT_NE(r.message.find("`password`"), std::string::npos) << r.message;
    EXPECT_EQ(r.message.find("wrong-pw"), std::string::npos) << r.message;
    sink->stop();

    ConfigTable right = v1_config(server, "kamstrup");
    right.set("username", std::string("admin"));
    right.set("password", std::string("right-pw"));
    TestHost right_host(std::move(right));
    sink = plugin.make_sink();
    sink->start(right_host);
    r = sink->write(polls);
    EXPECT_EQ(r.code, WriteResult::Code::retry);
    EXPECT_NE(r.message.find("CREATE DATABASE"), std::string::npos) << r.message;

    server.execute("CREATE DATABASE kamstrup", "admin", "right-pw");
    r = sink->write(polls);  // what the lane's retry does once the database exists
    EXPECT_EQ(r.code, WriteResult::Code::ok) << r.message;
    sink->stop();
    std::string raw;
    server.query("kamstrup", "SELECT COUNT(value) FROM kamstrup", &raw, "admin", "right-pw");
    EXPECT_NE(raw.find(",7]"), std::string::npos) << raw;
}

TEST_F(InfluxdbIntegration, DescriptorSuggestsAboutFiveThousandPointsPerRequest) {
    const PluginDescriptor& d = plugin.descriptor();
    EXPECT_EQ(d.name, "influxdb");
    EXPECT_EQ(d.kind, PluginKind::sink);
    // Seven default registers per poll.
    EXPECT_GE(d.lane.batch_size * 7, 4500u);
    EXPECT_LE(d.lane.batch_size * 7, 5000u);
    EXPECT_EQ(d.lane.flush_interval, std::chrono::seconds(10));
}

}  // namespace
}  // namespace kamgw::influxdb
