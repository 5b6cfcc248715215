// The csv plugin as the daemon uses it: loaded by the plugin host from the build's plugin
// folder, configured through its schema, driven through the Sink interface.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>

#include "core/host/plugin_registry.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"
#include "kamgw/testing.hpp"

namespace kamgw {
namespace {

using kamgw::test::read_file;
using kamgw::test::TempDir;
using kamgw::testing::TestSinkHost;

class CsvPlugin : public ::testing::Test {
protected:
    void SetUp() override {
        registry_.load_dir(kamgw::test::plugin_dir());
        // Other plugins in the folder are not this test's business; the csv plugin must load.
        for (const auto& p : registry_.problems())
            EXPECT_EQ(p.path.filename().string().find("kamgw-sink-csv"), std::string::npos) << p.message;
        ASSERT_NE(registry_.sink("csv"), nullptr);
    }

    static std::vector<ReadingBatch> one_batch(std::string meter, std::string key, Decimal value) {
        ReadingBatch b;
        b.meter.name = std::move(meter);
        b.meter.serial = "12345678";
        Reading r;
        r.key = std::move(key);
        r.register_id = 60;
        r.value = value;
        r.unit = Unit::kWh;
        r.time = TimePoint{} + std::chrono::seconds(1'764'079'387);  // 2025-11-25T14:03:07Z
        b.readings.push_back(r);
        return {b};
    }

    static ConfigTable config_for(const std::filesystem::path& path, std::string fsync = "batch") {
        ConfigTable c;
        c.set("path", path.string());
        c.set("fsync", std::move(fsync));
        c.set("header", true);
        c.set("line_ending", std::string("lf"));
        return c;
    }

    host::PluginRegistry registry_;
};

TEST_F(CsvPlugin, DescriptorDescribesItsKeys) {
    const PluginDescriptor* d = registry_.sink("csv");
    ASSERT_NE(d, nullptr);
    EXPECT_EQ(d->kind, PluginKind::sink);
    std::vector<std::string> keys;
    for (const auto& k : d->config) keys.emplace_back(k.key);
    EXPECT_EQ(keys, (std::vector<std::string>{"path", "fsync", "header", "line_ending"}));
    EXPECT_EQ(d->config[0].default_value, "-");
    EXPECT_EQ(d->config[1].choices, "never|batch|always");
}

TEST_F(CsvPlugin, WritesHeaderOnceAcrossRestarts) {
    TempDir dir;
    const auto file = dir.path() / "state" / "readings.csv";
    for (const char* fsync : {"batch", "always", "never"}) {
        TestSinkHost host(config_for(file, fsync));
        auto sink = registry_.make_sink("csv");
        sink->start(host);
        const auto batches = one_batch("house", "heat_energy", {191757, -2, false});
        const WriteResult result = sink->write(batches);
        EXPECT_EQ(result.code, WriteResult::Code::ok) << result.message;
        sink->stop();
    }
    const std::string row = "2025-11-25T14:03:07Z,house,12345678,heat_energy,60,1917.57,kWh,ok\n";
    EXPECT_EQ(read_file(file), "time,meter,serial,key,id,value,unit,quality\n" + row + row + row);
}

TEST_F(CsvPlugin, ReopenAfterLogrotateRenameWritesANewFileWithHeader) {
    TempDir dir;
    const auto file = dir.path() / "readings.csv";
    TestSinkHost host(config_for(file));
    auto sink = registry_.make_sink("csv");
    sink->start(host);
    ASSERT_EQ(sink->write(one_batch("a", "volume", {1, 0, false})).code, WriteResult::Code::ok);
    std::filesystem::rename(file, dir.path() / "readings.csv.1");
    sink->reopen();
    ASSERT_EQ(sink->write(one_batch("b", "volume", {2, 0, false})).code, WriteResult::Code::ok);
    sink->stop();
    const std::string header = "time,meter,serial,key,id,value,unit,quality\n";
    EXPECT_EQ(read_file(dir.path() / "readings.csv.1"),
              header + "2025-11-25T14:03:07Z,a,12345678,volume,60,1,kWh,ok\n");
    EXPECT_EQ(read_file(file), header + "2025-11-25T14:03:07Z,b,12345678,volume,60,2,kWh,ok\n");
}

TEST_F(CsvPlugin, UnwritablePathAsksForARetryAndRecoversWhenItIsFixed) {
    TempDir dir;
    const auto blocker = dir.write("later-a-folder", "x");
    TestSinkHost host(config_for(blocker / "readings.csv"));
    auto sink = registry_.make_sink("csv");
    sink->start(host);  // must not throw: the core keeps readings while the path is broken
    EXPECT_NE(host.logger.joined().find(blocker.string()), std::string::npos) << host.logger.joined();
    const WriteResult failed = sink->write(one_batch("a", "volume", {1, 0, false}));
    EXPECT_EQ(failed.code, WriteResult::Code::retry);
    EXPECT_NE(failed.message.find(blocker.string()), std::string::npos) << failed.message;

    std::filesystem::remove(blocker);
    const WriteResult ok = sink->write(one_batch("a", "volume", {1, 0, false}));
    EXPECT_EQ(ok.code, WriteResult::Code::ok) << ok.message;
    sink->stop();
    EXPECT_EQ(read_file(blocker / "readings.csv"),
              "time,meter,serial,key,id,value,unit,quality\n2025-11-25T14:03:07Z,a,12345678,volume,60,1,kWh,ok\n");
}

TEST_F(CsvPlugin, StandardOutputIsTheDefault) {
    // An empty table (the config loader would fill in path = "-") must mean standard output.
    TestSinkHost host{ConfigTable{}};
    auto sink = registry_.make_sink("csv");
    ::testing::internal::CaptureStdout();
    sink->start(host);
    const WriteResult result = sink->write(one_batch("house", "heat_energy", {5, 0, false}));
    sink->stop();
    const std::string out = ::testing::internal::GetCapturedStdout();
    EXPECT_EQ(result.code, WriteResult::Code::ok) << result.message;
    EXPECT_EQ(out,
              "time,meter,serial,key,id,value,unit,quality\r\n"
              "2025-11-25T14:03:07Z,house,12345678,heat_energy,60,5,kWh,ok\r\n");
}

}  // namespace
}  // namespace kamgw
