#include "csv_output.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tests/support/temp_dir.hpp"

namespace kamgw::csv {
namespace {

using kamgw::test::read_file;
using kamgw::test::TempDir;

bool append(CsvOutput& out, std::vector<std::string> chunks) {
    std::string error;
    const bool ok = out.append(chunks, error);
    EXPECT_TRUE(ok) << error;
    return ok;
}

TEST(CsvOutput, CreatesFoldersAndWritesTheHeaderOnceIntoANewFile) {
    TempDir dir;
    const auto file = dir.path() / "a" / "b" / "readings.csv";
    for (int round = 0; round < 3; ++round) {
        CsvOutput out(file, "H\n", FsyncPolicy::batch);
        std::string error;
        ASSERT_TRUE(out.open(error)) << error;
        append(out, {"r" + std::to_string(round) + "\n"});
    }
    EXPECT_EQ(read_file(file), "H\nr0\nr1\nr2\n");
}

TEST(CsvOutput, EmptyExistingFileGetsTheHeader) {
    TempDir dir;
    const auto file = dir.write("empty.csv", "");
    CsvOutput out(file, "H\n", FsyncPolicy::never);
    std::string error;
    ASSERT_TRUE(out.open(error)) << error;
    append(out, {"x\n"});
    EXPECT_EQ(read_file(file), "H\nx\n");
}

TEST(CsvOutput, ACutOffLastRecordIsNotGluedToTheNextOne) {
    TempDir dir;
    const auto file = dir.write("torn.csv", "H\nhalf a rec");
    CsvOutput out(file, "H\n", FsyncPolicy::always);
    std::string error;
    ASSERT_TRUE(out.open(error)) << error;
    append(out, {"a\n", "b\n"});
    EXPECT_EQ(read_file(file), "H\nhalf a rec\na\nb\n");
}

TEST(CsvOutput, ReopenAfterRenameStartsAFreshFileWithHeader) {
    TempDir dir;
    const auto file = dir.path() / "readings.csv";
    CsvOutput out(file, "H\n", FsyncPolicy::batch);
    std::string error;
    ASSERT_TRUE(out.open(error)) << error;
    append(out, {"before\n"});
    std::filesystem::rename(file, dir.path() / "readings.csv.1");  // what logrotate does
    append(out, {"still old\n"});                                  // the open descriptor follows the rename
    ASSERT_TRUE(out.open(error)) << error;                         // SIGHUP
    append(out, {"after\n"});
    EXPECT_EQ(read_file(dir.path() / "readings.csv.1"), "H\nbefore\nstill old\n");
    EXPECT_EQ(read_file(file), "H\nafter\n");
}

TEST(CsvOutput, FailuresNameThePathAndWhy) {
    TempDir dir;
    const auto blocker = dir.write("not-a-folder", "x");
    CsvOutput out(blocker / "readings.csv", "H\n", FsyncPolicy::batch);
    std::string error;
    EXPECT_FALSE(out.open(error));
    EXPECT_NE(error.find(blocker.string()), std::string::npos) << error;
    EXPECT_FALSE(out.is_open());

    CsvOutput full("/dev/full", "H\n", FsyncPolicy::never);
    error.clear();
    EXPECT_FALSE(full.open(error));
    EXPECT_NE(error.find("/dev/full"), std::string::npos) << error;
    EXPECT_NE(error.find("No space"), std::string::npos) << error;
}

TEST(CsvOutput, AppendWithoutOpenFails) {
    CsvOutput out("/nonexistent/x.csv", "", FsyncPolicy::never);
    std::string error;
    std::vector<std::string> chunks = {"x\n"};
    EXPECT_FALSE(out.append(chunks, error));
    EXPECT_FALSE(error.empty());
}

TEST(CsvOutput, FsyncPolicyNames) {
    EXPECT_EQ(parse_fsync_policy("never"), FsyncPolicy::never);
    EXPECT_EQ(parse_fsync_policy("batch"), FsyncPolicy::batch);
    EXPECT_EQ(parse_fsync_policy("always"), FsyncPolicy::always);
}

}  // namespace
}  // namespace kamgw::csv
