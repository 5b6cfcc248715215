// The plugin author's story from sdk/examples, end to end: install the SDK from this build,
// configure and build the example out of tree with find_package(kamgw), install the plugin
// into the SDK's plugin folder, and load and drive it through the plugin host.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>

#include "core/host/plugin_registry.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"
#include "kamgw/testing.hpp"

namespace kamgw {
namespace {

namespace fs = std::filesystem;

void run_ok(const std::vector<std::string>& argv) {
    const auto result = test::run_command(argv, std::chrono::minutes(5));
    ASSERT_EQ(result.exit_code, 0) << argv[0] << " " << (argv.size() > 1 ? argv[1] : "") << "\n" << result.output;
}

TEST(SdkExample, BuildsOutOfTreeAgainstTheInstalledSdkAndLoads) {
    test::TempDir dir;
    const fs::path prefix = dir.path() / "usr";
    // Only the SDK's install rules (headers, CMake package), as the kamgw-dev package ships them.
    ASSERT_NO_FATAL_FAILURE(run_ok({KAMGW_CMAKE_COMMAND, "-DCMAKE_INSTALL_PREFIX=" + prefix.string(), "-P",
                                    std::string(KAMGW_BUILD_DIR) + "/sdk/cmake_install.cmake"}));
    // The plugin folder belongs to the daemon's package; find_package(kamgw) checks it exists.
    fs::path config_dir;
    for (const auto& e : fs::recursive_directory_iterator(prefix))
        if (e.path().filename() == "kamgwConfig.cmake") config_dir = e.path().parent_path();
    ASSERT_FALSE(config_dir.empty()) << "no kamgwConfig.cmake installed under " << prefix;
    const fs::path libdir = config_dir.parent_path().parent_path();  // <libdir>/cmake/kamgw
    const fs::path plugin_dir = libdir / "kamgw" / "plugins";
    fs::create_directories(plugin_dir);

    const fs::path build = dir.path() / "build";
    ASSERT_NO_FATAL_FAILURE(
        run_ok({KAMGW_CMAKE_COMMAND, "-S", test::source_dir().string() + "/sdk/examples", "-B", build.string(), "-G",
                "Ninja", "-DCMAKE_CXX_COMPILER=" KAMGW_CXX_COMPILER, "-DCMAKE_PREFIX_PATH=" + prefix.string()}));
    ASSERT_NO_FATAL_FAILURE(run_ok({KAMGW_CMAKE_COMMAND, "--build", build.string(), "-j2"}));
    // The example's own tests, written with the SDK's test kit, pass against the installed SDK,
    // the run inside the daemon with this build's kamgw.
    ::setenv("KAMGW_BINARY", (fs::path(KAMGW_BUILD_DIR) / "bin" / "kamgw").c_str(), 1);
    const auto tests = test::run_command({KAMGW_CTEST_COMMAND, "--test-dir", build.string(), "--output-on-failure"},
                                         std::chrono::minutes(2));
    ASSERT_EQ(tests.exit_code, 0) << tests.output;
    EXPECT_NE(tests.output.find("100% tests passed"), std::string::npos) << tests.output;
    EXPECT_NE(tests.output.find("AppendsEveryPollAndSurvivesARotatedFile"), std::string::npos) << tests.output;
    EXPECT_NE(tests.output.find("RunsInsideTheRealDaemon"), std::string::npos) << tests.output;
    EXPECT_EQ(tests.output.find("Skipped"), std::string::npos) << tests.output;
    ASSERT_NO_FATAL_FAILURE(run_ok({KAMGW_CMAKE_COMMAND, "--install", build.string()}));
    ASSERT_TRUE(fs::exists(plugin_dir / "kamgw-sink-example.so"));

    host::PluginRegistry registry;
    registry.load_dir(plugin_dir);
    ASSERT_TRUE(registry.problems().empty()) << registry.problems()[0].message;
    const PluginDescriptor* d = registry.sink("example");
    ASSERT_NE(d, nullptr);
    ASSERT_EQ(d->config.size(), 1u);
    EXPECT_TRUE(d->config[0].required);

    const fs::path out = dir.path() / "readings.txt";
    ConfigTable config;
    config.set("path", out.string());
    testing::TestSinkHost host(std::move(config));
    auto sink = registry.make_sink("example");
    sink->start(host);
    const ReadingBatch batch = testing::BatchBuilder("house")
                                   .at(TimePoint{} + std::chrono::seconds(1'764'079'387))
                                   .reading("heat_energy", "1917.57", Unit::kWh)
                                   .build();
    EXPECT_EQ(sink->write({&batch, 1}).code, WriteResult::Code::ok);
    sink->stop();
    sink.reset();
    EXPECT_EQ(test::read_file(out), "2025-11-25T14:03:07Z house heat_energy=1917.57 kWh\n");
}

}  // namespace
}  // namespace kamgw
