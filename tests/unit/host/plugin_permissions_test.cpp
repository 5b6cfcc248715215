#include "core/host/plugin_permissions.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/support/temp_dir.hpp"

namespace kamgw::host {
namespace {

using kamgw::test::TempDir;

// Ids that are surely not ours, for files we own but pretend to be someone else.
constexpr uid_t other_uid = 4242;
constexpr gid_t other_gid = 4343;

TEST(PluginPermissions, OwnerOnlyWritableIsAccepted) {
    TempDir dir;
    const auto file = dir.write("kamgw-sink-x.so", "x");
    ::chmod(file.c_str(), 0644);
    ::chmod(dir.path().c_str(), 0755);
    EXPECT_EQ(writable_by_others(file, "file", TrustedIds::of_this_process()), std::nullopt);
    EXPECT_EQ(writable_by_others(dir.path(), "folder", TrustedIds::of_this_process()), std::nullopt);
}

TEST(PluginPermissions, WorldWritableIsRefusedWithTheFix) {
    TempDir dir;
    const auto file = dir.write("kamgw-sink-x.so", "x");
    ::chmod(file.c_str(), 0646);
    const auto problem = writable_by_others(file, "file", TrustedIds::of_this_process());
    ASSERT_TRUE(problem.has_value());
    EXPECT_EQ(*problem, "refusing plugin file " + file.string() +
                            ": writable by everyone (others could run code as kamgw); fix with chmod go-w " +
                            file.string());
}

TEST(PluginPermissions, GroupWritableIsRefusedUnlessTheGroupIsRootsOrOurs) {
    TempDir dir;
    ::chmod(dir.path().c_str(), 0775);
    const TrustedIds self = TrustedIds::of_this_process();
    // As root, give the folder to a group that is neither root's nor ours; otherwise the folder
    // has our group and a daemon with another group plays the stranger.
    if (self.uid == 0) {
        ASSERT_EQ(::chown(dir.path().c_str(), 0, other_gid), 0);
    }
    struct stat st {};
    ASSERT_EQ(::stat(dir.path().c_str(), &st), 0);
    const TrustedIds stranger = self.uid == 0 ? self : TrustedIds{self.uid, other_gid};
    const TrustedIds member = self.uid == 0 ? TrustedIds{self.uid, other_gid} : self;

    EXPECT_EQ(writable_by_others(dir.path(), "folder", member), std::nullopt);
    const auto problem = writable_by_others(dir.path(), "folder", stranger);
    ASSERT_TRUE(problem.has_value());
    EXPECT_EQ(*problem, "refusing plugin folder " + dir.path().string() + ": writable by group " +
                            std::to_string(st.st_gid) + " (others could run code as kamgw); fix with chmod go-w " +
                            dir.path().string());
    ::chmod(dir.path().c_str(), 0755);
    EXPECT_EQ(writable_by_others(dir.path(), "folder", stranger), std::nullopt);
}

TEST(PluginPermissions, GroupWritableByAnotherGroupIsRefused) {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to give a file to another group";
    TempDir dir;
    const auto file = dir.write("kamgw-sink-x.so", "x");
    ASSERT_EQ(::chown(file.c_str(), 0, other_gid), 0);
    ::chmod(file.c_str(), 0664);
    const auto problem = writable_by_others(file, "file", TrustedIds::of_this_process());
    ASSERT_TRUE(problem.has_value());
    EXPECT_NE(problem->find("writable by group 4343"), std::string::npos) << *problem;
    ::chmod(file.c_str(), 0644);
    EXPECT_EQ(writable_by_others(file, "file", TrustedIds::of_this_process()), std::nullopt);
}

TEST(PluginPermissions, OwnedBySomeoneElseIsRefused) {
    TempDir dir;
    const auto file = dir.write("kamgw-sink-x.so", "x");
    ::chmod(file.c_str(), 0644);
    const TrustedIds self = TrustedIds::of_this_process();
    if (self.uid != 0) {
        // Without root we cannot give the file away; judge our own file as a daemon with another uid.
        const auto problem = writable_by_others(file, "file", {other_uid, self.gid});
        ASSERT_TRUE(problem.has_value());
        EXPECT_NE(problem->find("owned by uid " + std::to_string(self.uid)), std::string::npos) << *problem;
        return;
    }
    ASSERT_EQ(::chown(file.c_str(), other_uid, 0), 0);
    const auto problem = writable_by_others(file, "file", self);
    ASSERT_TRUE(problem.has_value());
    EXPECT_NE(problem->find("owned by uid 4242"), std::string::npos) << *problem;
    EXPECT_NE(problem->find("chown root " + file.string()), std::string::npos) << *problem;
}

TEST(PluginPermissions, MissingPathIsRefused) {
    const auto problem = writable_by_others("/nonexistent/kamgw-sink-x.so", "file", TrustedIds::of_this_process());
    ASSERT_TRUE(problem.has_value());
    EXPECT_NE(problem->find("cannot examine"), std::string::npos) << *problem;
}

}  // namespace
}  // namespace kamgw::host
