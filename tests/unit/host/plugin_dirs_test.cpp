#include "core/host/plugin_dirs.hpp"

#include <gtest/gtest.h>

#include "core/base/paths.hpp"
#include "tests/support/temp_dir.hpp"

namespace kamgw::host {
namespace {

using kamgw::test::TempDir;

TEST(PluginDirs, BinaryInABuildTreeUsesThatBuildsPlugins) {
    TempDir build;
    build.write("CMakeCache.txt", "# build tree\n");
    std::filesystem::create_directories(build.path() / "bin");
    EXPECT_EQ(default_plugin_dirs_for(build.path() / "bin" / "kamgw"),
              std::vector<std::filesystem::path>{build.path() / "plugins"});
}

TEST(PluginDirs, InstalledBinaryUsesThePackagesFolder) {
    TempDir root;
    std::filesystem::create_directories(root.path() / "bin");  // a bin/ without CMakeCache.txt beside it
    const std::vector<std::filesystem::path> installed{kamgw::base::installed_plugin_dir};
    EXPECT_EQ(default_plugin_dirs_for(root.path() / "bin" / "kamgw"), installed);
    EXPECT_EQ(default_plugin_dirs_for("/usr/sbin/kamgw"), installed);
}

TEST(PluginDirs, ThisTestBinaryIsInTheBuildTree) {
    // Test binaries are built into <build>/bin next to <build>/CMakeCache.txt, like kamgw.
    const auto dirs = default_plugin_dirs();
    ASSERT_EQ(dirs.size(), 1u);
    EXPECT_EQ(dirs.front().filename(), "plugins");
    EXPECT_TRUE(std::filesystem::exists(dirs.front().parent_path() / "CMakeCache.txt")) << dirs.front();
}

}  // namespace
}  // namespace kamgw::host
