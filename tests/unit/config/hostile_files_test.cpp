// Files an operator (or an attacker with write access to conf.d) can point kamgw at: each
// must end in an error that names the path, quickly and without reading without bound.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>

#include "core/config/bounded_file.hpp"
#include "core/config/config_loader.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/unit/config/test_plugins.hpp"

namespace kamgw::config {
namespace {

namespace fs = std::filesystem;

const StaticPluginSchemas plugins = test::all_plugins();

LoadOptions options() {
    LoadOptions o;
    o.default_gateway_id = "testhost";
    o.credentials_dir = fs::path{};
    return o;
}

// Loads `main` and returns every issue rendered, one per line; fails the test when loading succeeds.
std::string load_errors(const fs::path& main) {
    const auto start = std::chrono::steady_clock::now();
    std::string out;
    try {
        load_config(main, plugins, options());
        ADD_FAILURE() << "loading " << main << " succeeded";
    } catch (const ConfigErrors& e) {
        out = e.what();
    }
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5)) << out;
    return out;
}

void expect_contains(const std::string& text, const std::string& part) {
    EXPECT_NE(text.find(part), std::string::npos) << "expected '" << part << "' in:\n" << text;
}

// A file of `size` bytes without a single newline, made sparse so the test stays fast.
fs::path huge_file(const kamgw::test::TempDir& dir, const std::string& name, std::uintmax_t size) {
    const fs::path file = dir.write(name, "x");
    fs::resize_file(file, size);
    return file;
}

const std::string meter = "[[meter]]\nname = \"m\"\nurl = \"sim://multical403\"\n";

std::string mqtt_sink(const std::string& extra) {
    return "[[sink]]\ntype = \"mqtt-ha\"\nurl = \"mqtt://localhost\"\n" + extra;
}

TEST(HostileFiles, SecretFileOnDevZeroIsRefusedAtOnce) {
    kamgw::test::TempDir dir;
    const auto main = dir.write("kamgw.toml", mqtt_sink("password_file = \"/dev/zero\"\n"));
    const std::string errors = load_errors(main);
    expect_contains(errors, "kamgw.toml:4:17: key 'sink[0].password_file'");
    expect_contains(errors, "'/dev/zero' is a character device");
}

TEST(HostileFiles, HugeSecretFileWithoutNewlineIsRefused) {
    kamgw::test::TempDir dir;
    huge_file(dir, "big.pw", 512 * 1024 * 1024);
    const auto main = dir.write("kamgw.toml", mqtt_sink("password_file = \"big.pw\"\n"));
    const std::string errors = load_errors(main);
    expect_contains(errors, "big.pw' is larger than 64 KiB");
}

TEST(HostileFiles, SecretFileThatIsAFolderOrMissingIsRefused) {
    kamgw::test::TempDir dir;
    fs::create_directory(dir / "pw.d");
    auto main = dir.write("kamgw.toml", mqtt_sink("password_file = \"pw.d\"\n"));
    expect_contains(load_errors(main), "pw.d' is a folder");
    main = dir.write("kamgw.toml", mqtt_sink("password_file = \"absent\"\n"));
    expect_contains(load_errors(main), "absent' does not exist");
}

TEST(HostileFiles, SecretIsTheFirstLineOfABoundedFile) {
    kamgw::test::TempDir dir;
    const fs::path file = dir.write("pw", "first\r\nsecond\n");
    const FileText secret = read_secret_file(file);
    ASSERT_TRUE(secret.ok()) << secret.error;
    EXPECT_EQ(secret.text, "first");
    dir.write("exact", std::string(secret_file_limit, 'a'));
    EXPECT_TRUE(read_secret_file(dir / "exact").ok());
    dir.write("over", std::string(secret_file_limit + 1, 'a'));
    EXPECT_FALSE(read_secret_file(dir / "over").ok());
}

TEST(HostileFiles, HugeConfigurationFileIsRefused) {
    kamgw::test::TempDir dir;
    const auto main = huge_file(dir, "kamgw.toml", 8ull * 1024 * 1024 * 1024);
    expect_contains(load_errors(main), "kamgw.toml' is larger than 1 MiB");
}

TEST(HostileFiles, ConfigurationFolderIsRefused) {
    kamgw::test::TempDir dir;
    fs::create_directory(dir / "etc");
    expect_contains(load_errors(dir / "etc"), "configuration file '" + (dir / "etc").string() + "' is a folder");
}

TEST(HostileFiles, ConfigurationLinkLoopIsRefused) {
    kamgw::test::TempDir dir;
    fs::create_symlink("kamgw.toml", dir / "kamgw.toml");
    expect_contains(load_errors(dir / "kamgw.toml"), "is a loop of symbolic links");
}

class HostileDropin : public ::testing::Test {
protected:
    void SetUp() override {
        main_ = dir_.write("kamgw.toml", meter);
        fs::create_directory(dir_ / "conf.d");
    }
    std::string errors() { return load_errors(main_); }
    fs::path dropin(const std::string& name) const { return dir_ / "conf.d" / name; }

    kamgw::test::TempDir dir_;
    fs::path main_;
};

TEST_F(HostileDropin, SymlinkLoop) {
    fs::create_symlink("b.toml", dropin("a.toml"));
    fs::create_symlink("a.toml", dropin("b.toml"));
    const std::string text = errors();
    expect_contains(text, "drop-in '" + dropin("a.toml").string() + "' (a link to b.toml) is a loop");
    expect_contains(text, "drop-in '" + dropin("b.toml").string() + "' (a link to a.toml) is a loop");
}

TEST_F(HostileDropin, SelfLink) {
    fs::create_symlink("self.toml", dropin("self.toml"));
    expect_contains(errors(), dropin("self.toml").string() + "' (a link to self.toml) is a loop of symbolic links");
}

TEST_F(HostileDropin, DropinFolderItselfALoop) {
    fs::remove(dir_ / "conf.d");
    fs::create_symlink("conf.d", dir_ / "conf.d");
    expect_contains(errors(), (dir_ / "conf.d").string() + ":1:1: the drop-in folder cannot be opened");
}

TEST_F(HostileDropin, DropinFolderIsAFile) {
    fs::remove(dir_ / "conf.d");
    dir_.write("conf.d", "[[meter]]\n");
    expect_contains(errors(), "the drop-in folder is not a folder");
}

TEST_F(HostileDropin, LinkToDevZero) {
    fs::create_symlink("/dev/zero", dropin("zero.toml"));
    expect_contains(errors(), "drop-in '" + dropin("zero.toml").string() +
                                  "' (a link to /dev/zero) is a character device; give a regular file");
}

TEST_F(HostileDropin, Fifo) {
    ASSERT_EQ(::mkfifo(dropin("pipe.toml").c_str(), 0644), 0);
    expect_contains(errors(), dropin("pipe.toml").string() + "' is a FIFO (named pipe)");
}

TEST_F(HostileDropin, FolderNamedToml) {
    fs::create_directory(dropin("x.toml"));
    expect_contains(errors(), dropin("x.toml").string() + "' is a folder");
}

TEST_F(HostileDropin, BrokenLink) {
    fs::create_symlink("gone.toml", dropin("broken.toml"));
    expect_contains(errors(), dropin("broken.toml").string() + "' (a link to gone.toml) is a broken symbolic link");
}

TEST_F(HostileDropin, HugeDropin) {
    huge_file(dir_, "conf.d/big.toml", 3 * 1024 * 1024);
    expect_contains(errors(), "big.toml' is larger than 1 MiB");
}

TEST_F(HostileDropin, GoodDropinsBesideABadOneStillLoadTheirErrors) {
    dir_.write("conf.d/10-good.toml", "[[meter]]\nname = \"n\"\nurl = \"sim://multical403\"\nintervall = \"1h\"\n");
    fs::create_directory(dropin("20-x.toml"));
    const std::string text = errors();
    expect_contains(text, "10-good.toml:4:1: key 'meter[1].intervall'");
    expect_contains(text, "20-x.toml' is a folder");
}

}  // namespace
}  // namespace kamgw::config
