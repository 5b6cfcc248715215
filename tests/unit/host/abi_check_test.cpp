// The ABI fingerprint check against plugins built wrongly on purpose (tests/fixtures/plugins,
// marker_sink.cpp): each is refused from its file, before any of its code runs, which the
// marker file its static initialiser would write proves.
#include "core/host/abi_check.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdlib>
#include <filesystem>

#include "core/base/version.hpp"
#include "core/host/plugin_registry.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/unit/host/hand_made_elf.hpp"

namespace kamgw::host {
namespace {

namespace fs = std::filesystem;
using kamgw::test::TempDir;
using ::testing::HasSubstr;

const fs::path abi_fixture_dir = KAMGW_ABI_FIXTURE_PLUGIN_DIR;

fs::path abi_fixture(const std::string& name) { return abi_fixture_dir / (name + ".so"); }

const std::string what_to_do = "rebuild it against this kamgw's SDK (kamgw-dev " + std::string(base::version) +
                               ", plugin ABI " + std::to_string(KAMGW_PLUGIN_ABI) + ")";

// Points the fixtures' static initialiser at a file in a fresh folder.
class AbiCheck : public ::testing::Test {
protected:
    void SetUp() override { ::setenv("KAMGW_FIXTURE_MARKER", marker_.c_str(), 1); }
    void TearDown() override { ::unsetenv("KAMGW_FIXTURE_MARKER"); }
    [[nodiscard]] bool plugin_code_ran() const { return fs::exists(marker_); }

    // Loads the file and returns the one problem, or "" when it loaded.
    std::string load(const fs::path& file) {
        PluginRegistry registry;
        const bool loaded = registry.load_file(file);
        EXPECT_EQ(loaded, registry.problems().empty());
        return loaded ? "" : registry.problems().at(0).message;
    }

    TempDir dir_;
    fs::path marker_ = dir_ / "marker";
};

TEST_F(AbiCheck, ThePluginBuiltRightLoadsAndItsInitialiserRuns) {
    // The control for the tests below: the marker does appear when the plugin's code runs.
    EXPECT_EQ(load(abi_fixture("kamgw-sink-fixture-marker")), "");
    EXPECT_TRUE(plugin_code_ran());
    EXPECT_EQ(kamgw::test::read_file(marker_), "fixture-marker\n");
}

TEST_F(AbiCheck, AnotherPluginAbiNumberIsRefusedBeforeItsCodeRuns) {
    const fs::path file = abi_fixture("kamgw-sink-fixture-abi-999");
    EXPECT_EQ(load(file), "refusing plugin " + file.string() +
                              ": it was built for another kamgw (plugin ABI: plugin built for 999, this kamgw is " +
                              std::to_string(KAMGW_PLUGIN_ABI) + "); " + what_to_do);
    EXPECT_FALSE(plugin_code_ran());
}

TEST_F(AbiCheck, TheOldStdStringAbiIsRefusedBeforeItsCodeRuns) {
    const fs::path file = abi_fixture("kamgw-sink-fixture-old-string-abi");
    const std::string refusal = load(file);
    EXPECT_THAT(refusal, HasSubstr("refusing plugin " + file.string() + ": it was built for another kamgw ("));
    EXPECT_THAT(refusal, HasSubstr("std::string ABI (_GLIBCXX_USE_CXX11_ABI): plugin built for 0, this kamgw is 1; "));
    // The copy-on-write string is one pointer.
    EXPECT_THAT(refusal, HasSubstr("size of std::string: plugin built for " + std::to_string(sizeof(void*)) +
                                   " bytes, this kamgw is " + std::to_string(sizeof(std::string)) + " bytes; "));
    EXPECT_THAT(refusal, HasSubstr("size of kamgw::ReadingBatch: plugin built for "));
    EXPECT_THAT(refusal, HasSubstr("size of kamgw::Reading: plugin built for "));
    EXPECT_THAT(refusal, ::testing::EndsWith("); " + what_to_do));
    EXPECT_THAT(refusal, ::testing::Not(HasSubstr("plugin ABI:")));
    EXPECT_FALSE(plugin_code_ran());
}

TEST_F(AbiCheck, APluginWithoutFingerprintIsRefusedBeforeItsCodeRuns) {
    const fs::path file = abi_fixture("kamgw-sink-fixture-no-fingerprint");
    EXPECT_EQ(load(file), "refusing plugin " + file.string() +
                              ": it carries no kamgw ABI fingerprint (no note in .note.kamgw.abi, so it was built "
                              "with an SDK older than plugin ABI 3, the note was stripped, or it is no kamgw "
                              "plugin); " +
                              what_to_do);
    EXPECT_FALSE(plugin_code_ran());
}

TEST_F(AbiCheck, ThePluginStrippedAsDebianStripsItStillLoads) {
    // strip --remove-section=.comment --remove-section=.note --strip-unneeded, as dh_strip runs it.
    EXPECT_EQ(load(abi_fixture_dir / "dh-stripped" / "kamgw-sink-fixture-marker.so"), "");
    EXPECT_TRUE(plugin_code_ran());
}

TEST_F(AbiCheck, ThePluginStrippedOfItsNoteAtRunTimeIsRefused) {
    const fs::path copy = dir_ / "kamgw-sink-fixture-marker.so";
    fs::copy_file(abi_fixture("kamgw-sink-fixture-marker"), copy);
    const std::string objcopy = std::string(KAMGW_OBJCOPY) + " --remove-section=.note.kamgw.abi " + copy.string();
    ASSERT_EQ(std::system(objcopy.c_str()), 0);
    EXPECT_THAT(load(copy), HasSubstr("it carries no kamgw ABI fingerprint"));
    EXPECT_FALSE(plugin_code_ran());
}

TEST(AbiCheckInTree, EveryPluginOfThisBuildLoads) {
    const char* dir = std::getenv("KAMGW_PLUGIN_DIR");
    ASSERT_NE(dir, nullptr);
    PluginRegistry registry;
    registry.load_dir(dir);
    for (const auto& p : registry.problems()) ADD_FAILURE() << p.message;
    EXPECT_NE(registry.sink("csv"), nullptr);
    EXPECT_NE(registry.transport_for_scheme("sim"), nullptr);
    EXPECT_GE(registry.plugins().size(), 5u);
}

// abi_refusal on hand-made files: what a compiler would not write.
fs::path write_elf(const TempDir& dir, const kamgw::test::Bytes& bytes) {
    return dir.write("kamgw-sink-hand-made.so", std::string(bytes.begin(), bytes.end()));
}

TEST(AbiRefusal, AFingerprintIsReadInItsFilesByteOrder) {
    TempDir dir;
    FingerprintWords theirs = host_fingerprint();
    EXPECT_EQ(abi_refusal(write_elf(dir, kamgw::test::hand_made_elf(false, true, theirs)), host_fingerprint()),
              std::nullopt);
    theirs[1] = 999;
    const fs::path file = write_elf(dir, kamgw::test::hand_made_elf(true, true, theirs));
    EXPECT_EQ(abi_refusal(file, host_fingerprint()),
              "refusing plugin " + file.string() +
                  ": it was built for another kamgw (plugin ABI: plugin built for 999, this kamgw is " +
                  std::to_string(KAMGW_PLUGIN_ABI) + "); " + what_to_do);
}

TEST(AbiRefusal, ADamagedFingerprintIsRefused) {
    TempDir dir;
    for (std::size_t size : {0u, 4u, 6u, 81u}) {
        const fs::path file = write_elf(dir, kamgw::test::hand_made_elf(true, false, host_fingerprint(), size));
        EXPECT_EQ(abi_refusal(file, host_fingerprint()), "refusing plugin " + file.string() +
                                                             ": its kamgw ABI fingerprint is damaged (" +
                                                             std::to_string(size) + " bytes); " + what_to_do);
    }
}

TEST(AbiRefusal, WhatIsNoElfFileCannotBeLoaded) {
    TempDir dir;
    const fs::path file = dir.write("kamgw-sink-text.so", "#!/bin/sh\n");
    EXPECT_EQ(abi_refusal(file, host_fingerprint()), "cannot load plugin " + file.string() + ": it is not an ELF file");
}

// The compatibility rule, on fingerprints as words.
TEST(FingerprintDifferences, EqualFingerprintsHaveNone) {
    EXPECT_TRUE(fingerprint_differences(host_fingerprint(), host_fingerprint()).empty());
}

TEST(FingerprintDifferences, FieldsANewerSdkAppendedAreNotCompared) {
    FingerprintWords newer = host_fingerprint();
    newer[0] += 1;  // a later format
    newer.push_back(7);
    newer.push_back(8);
    EXPECT_TRUE(fingerprint_differences(newer, host_fingerprint()).empty());
}

TEST(FingerprintDifferences, FieldsAnOlderSdkDidNotRecordAreDifferences) {
    const FingerprintWords host = host_fingerprint();
    const FingerprintWords older(host.begin(), host.end() - 1);
    EXPECT_EQ(fingerprint_differences(older, host),
              std::vector<std::string>{"size of kamgw::LineSettings: plugin built for an SDK that did not record it, "
                                       "this kamgw is " +
                                       std::to_string(host.back()) + " bytes"});
}

TEST(FingerprintDifferences, EachDifferingFieldIsNamedWithBothValues) {
    const FingerprintWords host = host_fingerprint();
    FingerprintWords plugin = host;
    plugin[4] = 108100;  // Boost
    plugin[2] += 1;      // compiler ABI
    EXPECT_EQ(fingerprint_differences(plugin, host),
              (std::vector<std::string>{
                  "C++ compiler ABI (__GXX_ABI_VERSION): plugin built for " + std::to_string(host[2] + 1) +
                      ", this kamgw is " + std::to_string(host[2]),
                  "Boost: plugin built for 1.81.0, this kamgw is " + std::to_string(BOOST_VERSION / 100000) + "." +
                      std::to_string(BOOST_VERSION / 100 % 1000) + "." + std::to_string(BOOST_VERSION % 100)}));
}

}  // namespace
}  // namespace kamgw::host
