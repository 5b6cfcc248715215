#include <gtest/gtest.h>

#include <filesystem>

#include "plugins/sink-influxdb/influxdb_sink.hpp"
#include "plugins/sink-influxdb/tests/test_batches.hpp"
#include "tests/support/temp_dir.hpp"

namespace kamgw::influxdb {
namespace {

using namespace test;

TEST(InfluxSinkFile, AppendsLineProtocolAndReopensAfterRotation) {
    kamgw::test::TempDir dir;
    const auto file = dir / "sub/points.lp";
    ConfigTable t;
    t.set("url", "file://" + file.string());
    t.set("layout", std::string("wide"));
    TestHost host(std::move(t));
    InfluxdbSink sink;
    sink.start(host);

    const std::vector<ReadingBatch> first = {mc403_poll("house", "1", at_seconds(100), 0)};
    const std::vector<ReadingBatch> second = {mc403_poll("house", "1", at_seconds(200), 1)};
    ASSERT_EQ(sink.write(first).code, WriteResult::Code::ok);
    ASSERT_EQ(sink.write(second).code, WriteResult::Code::ok);
    const FormatOptions wide{.layout = Layout::wide};
    EXPECT_EQ(kamgw::test::read_file(file), format_lines(first, wide).text + format_lines(second, wide).text);

    std::filesystem::rename(file, dir / "points.lp.1");  // what logrotate does
    sink.reopen();
    ASSERT_EQ(sink.write(first).code, WriteResult::Code::ok);
    EXPECT_EQ(kamgw::test::read_file(file), format_lines(first, wide).text);
    EXPECT_EQ(kamgw::test::read_file(dir / "points.lp.1"),
              format_lines(first, wide).text + format_lines(second, wide).text);
    sink.stop();
}

TEST(InfluxSinkFile, AnUnwritablePathIsARetry) {
    kamgw::test::TempDir dir;
    const auto blocker = dir.write("not-a-dir", "x");
    ConfigTable t;
    t.set("path", (blocker / "points.lp").string());
    TestHost host(std::move(t));
    InfluxdbSink sink;
    sink.start(host);
    const std::vector<ReadingBatch> polls = {mc403_poll("house", "1", at_seconds(100), 0)};
    const WriteResult r = sink.write(polls);
    EXPECT_EQ(r.code, WriteResult::Code::retry);
    EXPECT_NE(r.message.find("points.lp"), std::string::npos);
}

}  // namespace
}  // namespace kamgw::influxdb
