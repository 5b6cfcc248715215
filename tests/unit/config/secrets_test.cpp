#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/config/config_loader.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/unit/config/test_plugins.hpp"

namespace kamgw::config {
namespace {

const StaticPluginSchemas plugins = test::all_plugins();
constexpr std::string_view secret = "pa55-Wörd_7f3c";

LoadOptions options(std::filesystem::path credentials = {}) {
    LoadOptions o;
    o.default_gateway_id = "testhost";
    o.credentials_dir = std::move(credentials);
    return o;
}

std::string sink(std::string_view extra) {
    return "[[sink]]\ntype = \"mqtt-ha\"\nurl = \"mqtt://localhost\"\n" + std::string(extra);
}

TEST(ConfigSecrets, FromFileFirstLineWithoutNewline) {
    kamgw::test::TempDir dir;
    dir.write("mqtt.pw", std::string(secret) + "\nsecond line\n");
    const auto main = dir.write("kamgw.toml", sink("password_file = \"mqtt.pw\"\n"));  // relative to kamgw.toml
    const Config c = load_config(main, plugins, options());
    EXPECT_EQ(c.sinks.at(0).options.get_string("password"), secret);
    EXPECT_FALSE(c.sinks.at(0).options.has("password_file"));
}

TEST(ConfigSecrets, FromSystemdCredential) {
    kamgw::test::TempDir dir;
    std::filesystem::create_directory(dir / "creds");
    dir.write("creds/password", std::string(secret) + "\r\n");
    const Config c = load_config_text(sink(""), "main.toml", plugins, options(dir / "creds"));
    EXPECT_EQ(c.sinks.at(0).options.get_string("password"), secret);
    // Without the credential the key stays unset (it is optional in this schema).
    const Config none = load_config_text(sink(""), "main.toml", plugins, options(dir / "nothing"));
    EXPECT_FALSE(none.sinks.at(0).options.has("password"));
}

TEST(ConfigSecrets, InlineValueWinsOverCredential) {
    kamgw::test::TempDir dir;
    std::filesystem::create_directory(dir / "creds");
    dir.write("creds/password", "from-credential\n");
    const Config c = load_config_text(sink("password = \"inline\"\n"), "main.toml", plugins, options(dir / "creds"));
    EXPECT_EQ(c.sinks.at(0).options.get_string("password"), "inline");
}

TEST(ConfigSecrets, UnreadableFileIsNamedButTheSecretNeverAppears) {
    kamgw::test::TempDir dir;
    const std::string text = sink("password_file = \"" + (dir / "missing.pw").string() + "\"\n");
    try {
        load_config_text(text, "main.toml", plugins, options());
        FAIL();
    } catch (const ConfigErrors& e) {
        ASSERT_EQ(e.issues().size(), 1u) << e.what();
        EXPECT_EQ(e.issues()[0].key, "sink[0].password_file");
        EXPECT_EQ(e.issues()[0].where.to_string(), "main.toml:4:17");
        EXPECT_NE(std::string(e.what()).find((dir / "missing.pw").string()), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("does not exist"), std::string::npos) << e.what();
    }
}

TEST(ConfigSecrets, SecretValuesNeverAppearInErrors) {
    kamgw::test::TempDir dir;
    dir.write("pw", std::string(secret) + "\n");
    // Every other mistake in the same table produces messages; none may quote the secret.
    const std::string both = sink("password = \"" + std::string(secret) + "\"\npassword_file = \"" +
                                  (dir / "pw").string() + "\"\nqos = 9\npasword = \"" + std::string(secret) + "\"\n");
    try {
        load_config_text(both, "main.toml", plugins, options());
        FAIL();
    } catch (const ConfigErrors& e) {
        EXPECT_EQ(e.issues().size(), 3u) << e.what();
        EXPECT_EQ(std::string(e.what()).find(secret), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("give either 'password' or 'password_file'"), std::string::npos);
    }
    // A secret of the wrong type.
    try {
        load_config_text(sink("password = 12345678\n"), "main.toml", plugins, options());
        FAIL();
    } catch (const ConfigErrors& e) {
        EXPECT_EQ(std::string(e.what()).find("12345678"), std::string::npos) << e.what();
    }
}

TEST(ConfigSecrets, RequiredSecretMentionsAllSources) {
    static constexpr std::array<ConfigKey, 1> keys = {{{"token", ConfigType::secret, "", true, "API token"}}};
    static const PluginDescriptor influx{.name = "influx", .kind = PluginKind::sink, .config = keys};
    const StaticPluginSchemas with_influx{&influx};
    try {
        load_config_text("[[sink]]\ntype = \"influx\"\n", "main.toml", with_influx, options());
        FAIL();
    } catch (const ConfigErrors& e) {
        ASSERT_EQ(e.issues().size(), 1u);
        EXPECT_NE(e.issues()[0].message.find("'token_file'"), std::string::npos) << e.what();
        EXPECT_NE(e.issues()[0].message.find("systemd credential 'token'"), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace kamgw::config
