// The example sink's tests, with the SDK's test kit (kamgw/testing.hpp): the pure function
// alone, the sink driven as its lane would drive it through a file that goes away, and the
// built plugin inside the real daemon.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "example_sink.hpp"
#include "kamgw/testing.hpp"

namespace {

using namespace std::chrono_literals;
namespace kt = kamgw::testing;

const kamgw::TimePoint nov25 = kamgw::TimePoint(std::chrono::seconds(1'764'079'387));  // 2025-11-25T14:03:07Z

kamgw::ReadingBatch house_poll() {
    return kt::BatchBuilder("house").at(nov25).reading("heat_energy", "1917.57", kamgw::Unit::kWh).build();
}

std::string contents(const std::filesystem::path& file) {
    std::ifstream in(file);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

// A folder of its own per test, removed afterwards.
class ExampleSinkTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir = std::filesystem::temp_directory_path() /
              ("kamgw-example-" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
        std::filesystem::remove_all(dir);
        std::filesystem::create_directories(dir);
    }
    void TearDown() override { std::filesystem::remove_all(dir); }

    kamgw::ConfigTable config_for(const std::filesystem::path& file) const {
        kamgw::ConfigTable t;
        t.set("path", file.string());
        return t;
    }

    std::filesystem::path dir;
};

TEST(ExampleFormat, OneLinePerReadingWithTheExactValueAndItsUnit) {
    const auto batch = house_poll();
    EXPECT_EQ(example::format_line(batch, batch.readings[0]), "2025-11-25T14:03:07Z house heat_energy=1917.57 kWh\n");
    kamgw::Reading failed = batch.readings[0];
    failed.quality = kamgw::Quality::error;
    EXPECT_EQ(example::format_line(batch, failed), "2025-11-25T14:03:07Z house heat_energy=? kWh\n");
}

TEST_F(ExampleSinkTest, AppendsEveryPollAndSurvivesARotatedFile) {
    kt::TestSinkHost host(config_for(dir / "readings.txt"), dir);
    auto sink = example::make_sink();
    sink->start(host);
    const auto poll = house_poll();
    ASSERT_EQ(kt::write_until_done(*sink, {&poll, 1}, 5s).code, kamgw::WriteResult::Code::ok);
    // logrotate moves the file away, then kamgw passes SIGHUP on as reopen().
    std::filesystem::rename(dir / "readings.txt", dir / "readings.txt.1");
    sink->reopen();
    ASSERT_EQ(kt::write_until_done(*sink, {&poll, 1}, 5s).code, kamgw::WriteResult::Code::ok);
    sink->stop();
    EXPECT_EQ(contents(dir / "readings.txt.1"), "2025-11-25T14:03:07Z house heat_energy=1917.57 kWh\n");
    EXPECT_EQ(contents(dir / "readings.txt"), "2025-11-25T14:03:07Z house heat_energy=1917.57 kWh\n");
    EXPECT_EQ(host.logger.count("error:"), 0u) << host.logger.joined();
}

TEST_F(ExampleSinkTest, AFileThatCannotBeOpenedIsRetriedAndLogged) {
    // A path under a regular file can never be opened, whoever runs the test.
    std::ofstream(dir / "not-a-folder") << "x";
    kt::TestSinkHost host(config_for(dir / "not-a-folder" / "readings.txt"), dir);
    auto sink = example::make_sink();
    sink->start(host);
    const auto poll = house_poll();
    const auto result = kt::write_until_done(*sink, {&poll, 1}, 300ms);
    EXPECT_EQ(result.code, kamgw::WriteResult::Code::retry);
    EXPECT_NE(result.message.find("cannot open"), std::string::npos) << result.message;
    EXPECT_GE(host.logger.count("error: cannot open"), 2u) << host.logger.joined();
    sink->stop();
}

// The plugin this build made, inside the real daemon: kamgw's journal, the sink's lane and its
// shutdown around it, with a simulated meter.
TEST_F(ExampleSinkTest, RunsInsideTheRealDaemon) {
    if (!std::filesystem::exists(kt::daemon_binary()))
        GTEST_SKIP() << "no kamgw at " << kt::daemon_binary() << " (set KAMGW_BINARY)";
    const auto out = dir / "daemon.txt";
    const auto run =
        kt::run_with_daemon(EXAMPLE_PLUGIN_DIR, "type = \"example\"\npath = \"" + out.string() + "\"", dir / "daemon");
    ASSERT_EQ(run.exit_code, 0) << run.log;
    const std::string text = contents(out);
    EXPECT_NE(text.find(" house heat_energy="), std::string::npos) << text << run.log;
    EXPECT_NE(run.log.find("1 batch(es) delivered"), std::string::npos) << run.log;
}

}  // namespace
