// The plugin host against real shared objects: the fixture plugins in KAMGW_FIXTURE_PLUGIN_DIR.
#include "core/host/plugin_registry.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>

#include "core/base/version.hpp"
#include "tests/support/temp_dir.hpp"
#include "kamgw/testing.hpp"

namespace kamgw::host {
namespace {

namespace fs = std::filesystem;
using kamgw::test::TempDir;
using kamgw::testing::TestSinkHost;
using ::testing::HasSubstr;

const fs::path fixture_dir = KAMGW_FIXTURE_PLUGIN_DIR;

fs::path fixture(const std::string& name) { return fixture_dir / (name + ".so"); }

// A private copy of a fixture, so a test can rename it or change its permissions.
fs::path copy_fixture(const TempDir& dir, const std::string& name, const std::string& as) {
    const fs::path target = dir.path() / as;
    fs::copy_file(fixture(name), target);
    ::chmod(target.c_str(), 0755);
    return target;
}

std::string problems_text(const PluginRegistry& registry) {
    std::string out;
    for (const auto& p : registry.problems()) out += p.path.string() + ": " + p.message + "\n";
    return out;
}

const LoadProblem* problem_for(const PluginRegistry& registry, const fs::path& path) {
    for (const auto& p : registry.problems())
        if (p.path == path) return &p;
    return nullptr;
}

TEST(PluginRegistry, GoodSinkLoadsAndWorks) {
    PluginRegistry registry;
    ASSERT_TRUE(registry.load_file(fixture("kamgw-sink-fixture-good"))) << problems_text(registry);
    EXPECT_TRUE(registry.problems().empty()) << problems_text(registry);
    const PluginDescriptor* d = registry.sink("fixture-good");
    ASSERT_NE(d, nullptr);
    EXPECT_EQ(d->version, "1.2.3");
    ASSERT_EQ(d->config.size(), 1u);
    EXPECT_EQ(d->config[0].key, "tag");
    EXPECT_EQ(registry.sink_types(), std::vector<std::string>{"fixture-good"});
    ASSERT_EQ(registry.plugins().size(), 1u);
    EXPECT_EQ(registry.plugins()[0].file, fs::canonical(fixture("kamgw-sink-fixture-good")));

    ConfigTable config;
    config.set("tag", std::string("blue"));
    TestSinkHost host(std::move(config));
    auto sink = registry.make_sink("fixture-good");
    sink->start(host);
    std::vector<ReadingBatch> batches(2);
    batches[0].readings.resize(3);
    batches[1].readings.resize(4);
    EXPECT_EQ(sink->write(batches).code, WriteResult::Code::ok);
    EXPECT_EQ(sink->write(std::span(batches).first(1)).code, WriteResult::Code::ok);
    sink->stop();
    sink.reset();  // plugin objects go before the registry
    EXPECT_THAT(host.logger.lines(),
                ::testing::ElementsAre(
                    "info: fixture-good started tag=blue", "info: fixture-good wrote 7 readings, 7 in total, tag=blue",
                    "info: fixture-good wrote 3 readings, 10 in total, tag=blue", "info: fixture-good stopped"));
}

TEST(PluginRegistry, WrongAbiIsRefusedBeforeTheDescriptorIsTouched) {
    // The fixture's fingerprint fits, so this is the second check, after loading. Its
    // kamgw_plugin_descriptor() aborts: reaching it would end this test binary.
    PluginRegistry registry;
    const fs::path file = fixture("kamgw-sink-fixture-wrong-abi");
    EXPECT_FALSE(registry.load_file(file));
    ASSERT_EQ(registry.problems().size(), 1u);
    EXPECT_EQ(registry.problems()[0].path, file);
    EXPECT_EQ(registry.problems()[0].message,
              "plugin " + file.string() + " was built for plugin ABI 999, but this kamgw " + kamgw::base::version +
                  " uses ABI " + std::to_string(KAMGW_PLUGIN_ABI) + ": rebuild it against the matching kamgw-dev");
    EXPECT_EQ(registry.sink("fixture-wrong-abi"), nullptr);
}

TEST(PluginRegistry, FileWithoutEntryPointsIsRefused) {
    PluginRegistry registry;
    const fs::path file = fixture("kamgw-sink-fixture-no-symbols");
    EXPECT_FALSE(registry.load_file(file));
    ASSERT_EQ(registry.problems().size(), 1u);
    EXPECT_THAT(registry.problems()[0].message, HasSubstr(file.string()));
    EXPECT_THAT(registry.problems()[0].message, HasSubstr("no kamgw ABI fingerprint"));
    EXPECT_THAT(registry.problems()[0].message, HasSubstr("or it is no kamgw plugin"));
}

TEST(PluginRegistry, FileThatIsNoSharedObjectIsRefused) {
    TempDir dir;
    const fs::path file = dir.write("kamgw-sink-garbage.so", "this is not ELF");
    PluginRegistry registry;
    EXPECT_FALSE(registry.load_file(file));
    ASSERT_EQ(registry.problems().size(), 1u);
    EXPECT_THAT(registry.problems()[0].message, HasSubstr("cannot load plugin " + file.string()));
}

TEST(PluginRegistry, InconsistentDescriptorIsRefused) {
    PluginRegistry registry;
    const fs::path file = fixture("kamgw-sink-fixture-bad-descriptor");
    EXPECT_FALSE(registry.load_file(file));
    ASSERT_EQ(registry.problems().size(), 1u);
    EXPECT_THAT(registry.problems()[0].message, HasSubstr("refusing plugin " + file.string()));
    EXPECT_THAT(registry.problems()[0].message,
                HasSubstr("descriptor says plugin ABI " + std::to_string(KAMGW_PLUGIN_ABI + 41)));
}

TEST(PluginRegistry, FileNameMustMatchTheDescriptor) {
    TempDir dir;
    const fs::path renamed = copy_fixture(dir, "kamgw-sink-fixture-good", "kamgw-sink-renamed.so");
    const fs::path wrong_kind = copy_fixture(dir, "kamgw-sink-fixture-good", "kamgw-transport-fixture-good.so");
    PluginRegistry registry;
    registry.load_dir(dir.path());
    EXPECT_TRUE(registry.plugins().empty());
    ASSERT_EQ(registry.problems().size(), 2u) << problems_text(registry);
    ASSERT_NE(problem_for(registry, renamed), nullptr);
    EXPECT_THAT(problem_for(registry, renamed)->message,
                HasSubstr("the file name says the plugin is called 'renamed', but its descriptor says 'fixture-good'"));
    ASSERT_NE(problem_for(registry, wrong_kind), nullptr);
    EXPECT_THAT(problem_for(registry, wrong_kind)->message,
                HasSubstr("the file name says it is a transport plugin, but its descriptor says sink"));
}

TEST(PluginRegistry, ThrowingFactoryBecomesPluginError) {
    PluginRegistry registry;
    ASSERT_TRUE(registry.load_file(fixture("kamgw-sink-fixture-throwing-factory"))) << problems_text(registry);
    try {
        (void)registry.make_sink("fixture-throwing-factory");
        FAIL() << "make_sink should have thrown";
    } catch (const PluginError& e) {
        EXPECT_THAT(e.what(), HasSubstr("sink plugin 'fixture-throwing-factory'"));
        EXPECT_THAT(e.what(), HasSubstr("kamgw-sink-fixture-throwing-factory.so"));
        EXPECT_THAT(e.what(), HasSubstr("the fixture factory refuses to make a sink"));
    }
    // The registry is still usable afterwards.
    EXPECT_NE(registry.sink("fixture-throwing-factory"), nullptr);
}

TEST(PluginRegistry, ThrowingWriteFixtureLoadsAndThrowsFromWrite) {
    PluginRegistry registry;
    ASSERT_TRUE(registry.load_file(fixture("kamgw-sink-fixture-throwing-write"))) << problems_text(registry);
    ConfigTable config;
    config.set("throw_after", std::int64_t{1});
    TestSinkHost host(std::move(config));
    auto sink = registry.make_sink("fixture-throwing-write");
    sink->start(host);
    std::vector<ReadingBatch> batches(1);
    EXPECT_EQ(sink->write(batches).code, WriteResult::Code::ok);
    EXPECT_THROW((void)sink->write(batches), std::runtime_error);
}

TEST(PluginRegistry, UnknownTypeOrSchemeIsAPluginErrorListingWhatIsThere) {
    PluginRegistry registry;
    ASSERT_TRUE(registry.load_file(fixture("kamgw-sink-fixture-good")));
    try {
        (void)registry.make_sink("nope");
        FAIL();
    } catch (const PluginError& e) {
        EXPECT_STREQ(e.what(), "no sink plugin of type 'nope' is loaded (loaded: fixture-good)");
    }
    EXPECT_THROW((void)registry.make_transport("nope", TransportContext{}), PluginError);
}

TEST(PluginRegistry, WholeFixtureFolderLoadsTheGoodAndReportsEachBadOne) {
    PluginRegistry registry;
    registry.load_dir(fixture_dir);
    // One broken plugin never stops the others.
    EXPECT_NE(registry.sink("fixture-good"), nullptr);
    EXPECT_NE(registry.sink("fixture-throwing-write"), nullptr);
    EXPECT_NE(registry.sink("fixture-throwing-factory"), nullptr);
    EXPECT_NE(registry.transport_for_scheme("fixture-loop"), nullptr);
    EXPECT_EQ(registry.transport_for_scheme("fixture-loop")->name, "fixture-loop");
    // Files load in name order: fixture-loop comes first and keeps its scheme; the thief that
    // claims the same scheme afterwards is refused.
    std::vector<std::string> refused;
    for (const auto& p : registry.problems()) refused.push_back(p.path.filename().string());
    std::sort(refused.begin(), refused.end());
    EXPECT_EQ(refused,
              (std::vector<std::string>{"kamgw-sink-fixture-bad-descriptor.so", "kamgw-sink-fixture-no-symbols.so",
                                        "kamgw-sink-fixture-wrong-abi.so", "kamgw-transport-fixture-scheme-thief.so"}))
        << problems_text(registry);
    EXPECT_THAT(problem_for(registry, fixture_dir / "kamgw-transport-fixture-scheme-thief.so")->message,
                HasSubstr("the URL scheme 'fixture-loop' is already served by transport 'fixture-loop'"));
    EXPECT_EQ(registry.url_schemes(), std::vector<std::string>{"fixture-loop"});
}

TEST(PluginRegistry, DuplicateNameInALaterFolderIsRefused) {
    TempDir first, second;
    copy_fixture(first, "kamgw-sink-fixture-good", "kamgw-sink-fixture-good.so");
    const fs::path dup = copy_fixture(second, "kamgw-sink-fixture-good", "kamgw-sink-fixture-good.so");
    PluginRegistry registry;
    registry.load_dirs({first.path(), second.path(), first.path()});
    ASSERT_EQ(registry.plugins().size(), 1u);
    EXPECT_EQ(registry.plugins()[0].file.parent_path(), fs::canonical(first.path()));
    ASSERT_EQ(registry.problems().size(), 1u) << problems_text(registry);
    EXPECT_EQ(registry.problems()[0].path, dup);
    EXPECT_THAT(registry.problems()[0].message, HasSubstr("a sink named 'fixture-good' is already loaded from"));
}

TEST(PluginRegistry, DuplicateSchemeIsRefused) {
    PluginRegistry registry;
    ASSERT_TRUE(registry.load_file(fixture("kamgw-transport-fixture-loop"))) << problems_text(registry);
    EXPECT_FALSE(registry.load_file(fixture("kamgw-transport-fixture-scheme-thief")));
    ASSERT_EQ(registry.problems().size(), 1u);
    EXPECT_THAT(registry.problems()[0].message,
                HasSubstr("the URL scheme 'fixture-loop' is already served by transport 'fixture-loop'"));
    // All or nothing: the refused plugin's other scheme is not served either.
    EXPECT_EQ(registry.transport_for_scheme("fixture-thief-only"), nullptr);
}

TEST(PluginRegistry, WorldWritablePluginFileIsRefused) {
    TempDir dir;
    const fs::path file = copy_fixture(dir, "kamgw-sink-fixture-good", "kamgw-sink-fixture-good.so");
    ASSERT_EQ(::chmod(file.c_str(), 0757), 0);
    PluginRegistry registry;
    registry.load_dir(dir.path());
    EXPECT_EQ(registry.sink("fixture-good"), nullptr);
    ASSERT_EQ(registry.problems().size(), 1u);
    EXPECT_EQ(registry.problems()[0].message,
              "refusing plugin file " + file.string() +
                  ": writable by everyone (others could run code as kamgw); fix with chmod go-w " + file.string());
}

TEST(PluginRegistry, WorldWritablePluginFolderIsRefusedWithAllItsFiles) {
    TempDir dir;
    const fs::path file = copy_fixture(dir, "kamgw-sink-fixture-good", "kamgw-sink-fixture-good.so");
    ASSERT_EQ(::chmod(dir.path().c_str(), 0777), 0);
    PluginRegistry registry;
    registry.load_dir(dir.path());
    EXPECT_TRUE(registry.plugins().empty());
    ASSERT_EQ(registry.problems().size(), 1u);
    EXPECT_EQ(registry.problems()[0].path, dir.path());
    EXPECT_THAT(registry.problems()[0].message, HasSubstr("refusing plugin folder " + dir.path().string()));

    PluginRegistry by_file;
    EXPECT_FALSE(by_file.load_file(file));
    EXPECT_EQ(by_file.problems().size(), 2u) << problems_text(by_file);
}

TEST(PluginRegistry, LinkIntoAWorldWritableFolderIsRefused) {
    // The listed folder and the link in it are fine; the folder the link leads to is not.
    TempDir trusted, open;
    const fs::path real = copy_fixture(open, "kamgw-sink-fixture-good", "kamgw-sink-fixture-good.so");
    ASSERT_EQ(::chmod(open.path().c_str(), 0777), 0);
    const fs::path link = trusted.path() / "kamgw-sink-fixture-good.so";
    fs::create_symlink(real, link);
    PluginRegistry registry;
    registry.load_dir(trusted.path());
    EXPECT_EQ(registry.sink("fixture-good"), nullptr);
    ASSERT_EQ(registry.problems().size(), 1u) << problems_text(registry);
    EXPECT_EQ(registry.problems()[0].message,
              "refusing plugin folder " + open.path().string() +
                  ": writable by everyone (others could run code as kamgw); fix with chmod go-w " +
                  open.path().string() + " (" + link.string() + " resolves to " + real.string() + ")");
}

TEST(PluginRegistry, LinkThroughAStickyWorldWritableFolderIsAccepted) {
    // /tmp is 1777: the link's target sits in a folder of ours below it, which nobody else may rename.
    TempDir trusted, target;
    const fs::path real = copy_fixture(target, "kamgw-sink-fixture-good", "kamgw-sink-fixture-good.so");
    fs::create_symlink(real, trusted.path() / "kamgw-sink-fixture-good.so");
    PluginRegistry registry;
    registry.load_dir(trusted.path());
    EXPECT_NE(registry.sink("fixture-good"), nullptr) << problems_text(registry);
}

TEST(PluginRegistry, MissingFolderIsAProblemNotACrash) {
    PluginRegistry registry;
    registry.load_dirs({"/nonexistent/kamgw/plugins", fixture_dir});
    ASSERT_FALSE(registry.problems().empty());
    EXPECT_THAT(registry.problems()[0].message, HasSubstr("/nonexistent/kamgw/plugins does not exist"));
    EXPECT_NE(registry.sink("fixture-good"), nullptr);
}

TEST(PluginRegistry, OnlyPluginFileNamesAreScanned) {
    EXPECT_TRUE(is_plugin_file_name("kamgw-sink-csv.so"));
    EXPECT_TRUE(is_plugin_file_name("kamgw-transport-tcp.so"));
    EXPECT_FALSE(is_plugin_file_name("kamgw-sink-.so"));
    EXPECT_FALSE(is_plugin_file_name("kamgw-sink-csv.so.1"));
    EXPECT_FALSE(is_plugin_file_name("libkamgw-sink-csv.so"));
    EXPECT_FALSE(is_plugin_file_name("kamgw-other-x.so"));
    EXPECT_FALSE(is_plugin_file_name("README.md"));
}

}  // namespace
}  // namespace kamgw::host
