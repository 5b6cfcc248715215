#include <gtest/gtest.h>

#include "core/config/config_loader.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/unit/config/test_plugins.hpp"

namespace kamgw::config {
namespace {

const StaticPluginSchemas plugins = test::all_plugins();

LoadOptions options() {
    LoadOptions o;
    o.default_gateway_id = "testhost";
    o.credentials_dir = std::filesystem::path{};
    return o;
}

TEST(ConfigDropins, MergedInNameOrder) {
    kamgw::test::TempDir dir;
    const auto main = dir.write("kamgw.toml", R"([gateway]
id = "main"
log_level = "warn"
state_dir = "/var/lib/one"

[[meter]]
name = "a"
url = "sim://x"
)");
    std::filesystem::create_directory(dir / "conf.d");
    dir.write("conf.d/20-second.toml",
              "[gateway]\nlog_level = \"debug\"\n\n[[meter]]\nname = \"c\"\nurl = \"sim://z\"\n");
    dir.write("conf.d/10-first.toml", R"([gateway]
log_level = "error"
id = "dropin"

[[meter]]
name = "b"
url = "sim://y"

[[sink]]
type = "csv"
path = "out.csv"
)");
    dir.write("conf.d/30-ignored.toml.dpkg-old", "this is not = toml\n");
    dir.write("conf.d/.hidden.toml", "not = valid = toml\n");

    const Config c = load_config(main, plugins, options());
    ASSERT_EQ(c.files.size(), 3u);
    EXPECT_EQ(c.files[0], main);
    EXPECT_EQ(c.files[1].filename(), "10-first.toml");
    EXPECT_EQ(c.files[2].filename(), "20-second.toml");
    EXPECT_EQ(c.gateway.id, "dropin");               // overridden by 10-first
    EXPECT_EQ(c.gateway.log_level, "debug");         // overridden again by 20-second
    EXPECT_EQ(c.gateway.state_dir, "/var/lib/one");  // kept from the main file
    ASSERT_EQ(c.meters.size(), 3u);
    EXPECT_EQ(c.meters[0].name, "a");
    EXPECT_EQ(c.meters[1].name, "b");
    EXPECT_EQ(c.meters[2].name, "c");
    EXPECT_EQ(c.meters[2].position.file, (dir / "conf.d/20-second.toml").string());
    EXPECT_EQ(c.meters[2].position.line, 4u);
    ASSERT_EQ(c.sinks.size(), 1u);
}

TEST(ConfigDropins, DuplicateMeterNameNamesBothPlaces) {
    kamgw::test::TempDir dir;
    const auto main = dir.write("kamgw.toml", "[[meter]]\nname = \"house\"\nurl = \"sim://x\"\n");
    std::filesystem::create_directory(dir / "conf.d");
    const auto dropin = dir.write("conf.d/50-more.toml", "\n[[meter]]\n  name = \"house\"\nurl = \"sim://y\"\n");
    try {
        load_config(main, plugins, options());
        FAIL() << "expected a duplicate name error";
    } catch (const ConfigErrors& e) {
        ASSERT_EQ(e.issues().size(), 1u) << e.what();
        const ConfigIssue& issue = e.issues()[0];
        EXPECT_EQ(issue.where.file, dropin.string());
        EXPECT_EQ(issue.where.line, 3u);
        EXPECT_EQ(issue.where.column, 10u);
        EXPECT_EQ(issue.key, "meter[1].name");
        EXPECT_EQ(issue.message, "meter name 'house' is already defined at " + main.string() + ":2:8");
    }
}

TEST(ConfigDropins, ErrorsFromEveryFileAreCollected) {
    kamgw::test::TempDir dir;
    const auto main = dir.write("kamgw.toml", "[gateway]\nlog_level = \"loud\"\n");
    std::filesystem::create_directory(dir / "conf.d");
    dir.write("conf.d/a.toml", "[gateway\n");
    dir.write("conf.d/b.toml", "[[sink]]\ntype = \"csv\"\n");
    try {
        load_config(main, plugins, options());
        FAIL() << "expected errors";
    } catch (const ConfigErrors& e) {
        ASSERT_EQ(e.issues().size(), 3u) << e.what();
        EXPECT_EQ(e.issues()[0].where.to_string(), main.string() + ":2:13");
        EXPECT_EQ(e.issues()[1].where.file, (dir / "conf.d/a.toml").string());
        EXPECT_EQ(e.issues()[1].where.line, 1u);
        EXPECT_EQ(e.issues()[2].where.to_string(), (dir / "conf.d/b.toml").string() + ":1:1");
        EXPECT_EQ(e.issues()[2].key, "sink[0].path");
    }
}

TEST(ConfigDropins, DropinsCanBeTurnedOffOrMoved) {
    kamgw::test::TempDir dir;
    const auto main = dir.write("kamgw.toml", "[gateway]\nid = \"main\"\n");
    std::filesystem::create_directory(dir / "conf.d");
    dir.write("conf.d/a.toml", "[gateway]\nid = \"a\"\n");
    std::filesystem::create_directory(dir / "other");
    dir.write("other/b.toml", "[gateway]\nid = \"b\"\n");
    LoadOptions o = options();
    o.read_dropins = false;
    EXPECT_EQ(load_config(main, plugins, o).gateway.id, "main");
    o.read_dropins = true;
    o.dropin_dir = dir / "other";
    EXPECT_EQ(load_config(main, plugins, o).gateway.id, "b");
    EXPECT_EQ(load_config(main, plugins, options()).gateway.id, "a");
}

TEST(ConfigDropins, MissingMainFileIsAnIssue) {
    kamgw::test::TempDir dir;
    try {
        load_config(dir / "absent.toml", plugins, options());
        FAIL();
    } catch (const ConfigErrors& e) {
        ASSERT_EQ(e.issues().size(), 1u);
        EXPECT_EQ(e.issues()[0].where.file, (dir / "absent.toml").string());
        EXPECT_NE(e.issues()[0].message.find("does not exist"), std::string::npos) << e.issues()[0].message;
    }
}

TEST(ConfigDropins, RelativePluginDirsAreRelativeToTheirFile) {
    kamgw::test::TempDir dir;
    const auto main = dir.write("kamgw.toml", "[gateway]\nplugin_dirs = [\"plugins\", \"/abs\"]\n");
    const Config c = load_config(main, plugins, options());
    ASSERT_EQ(c.gateway.plugin_dirs.size(), 2u);
    EXPECT_EQ(c.gateway.plugin_dirs[0], dir.path() / "plugins");
    EXPECT_EQ(c.gateway.plugin_dirs[1], "/abs");
}

}  // namespace
}  // namespace kamgw::config
