// The Home Assistant add-on's start against a fake Supervisor (the in-process fake Home
// Assistant behind the Supervisor's /core proxy, with GET /services/mqtt) and a real mosquitto
// that wants a password: `kamgw addon-config` finds the broker and its credentials by itself,
// writes secrets only to 0600/0640 files, and what it writes passes `kamgw check`; the start
// script (packaging/ha-addon/run.sh) then runs the daemon, dropping root when it has it, and one
// poll reaches mosquitto, Home Assistant through the proxy and the CSV file.
#include <gtest/gtest.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "tests/fixtures/fake-home-assistant/fake_home_assistant.hpp"
#include "tests/integration/mqtt/mqtt_harness.hpp"
#include "tests/support/network.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace kamgw::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

constexpr const char* kSupervisorToken = "supervisor-token-Quee3ai";

struct AddonFixture {
    TempDir dir;
    mqtt_ha::test::Broker broker{dir, {.password = true, .user = "addons", .pass = "mosquitto-pw-Ohj7ch"}};
    std::unique_ptr<FakeHomeAssistant> supervisor;
    std::uint16_t health_port = free_port();

    AddonFixture() {
        broker.start();
        FakeHaSettings settings;
        settings.token = kSupervisorToken;
        settings.path_prefix = "/core";
        settings.supervisor_endpoints["/services/mqtt"] = {{"result", "ok"},
                                                           {"data",
                                                            {{"addon", "core_mosquitto"},
                                                             {"host", "127.0.0.1"},
                                                             {"port", broker.port()},
                                                             {"ssl", false},
                                                             {"protocol", "3.1.1"},
                                                             {"username", "addons"},
                                                             {"password", "mosquitto-pw-Ohj7ch"}}}};
        supervisor = std::make_unique<FakeHomeAssistant>(settings);
    }

    // Options as the Supervisor writes them: a simulated meter, broker left empty.
    std::filesystem::path options(const std::string& csv_path) const {
        const json o = {{"meters",
                         {{{"name", "house"},
                           {"url", "sim://multical403"},
                           {"interval", "1h"},
                           {"registers", "heat_energy, volume, power"}}}},
                        {"mqtt_ha", true},
                        {"mqtt", false},
                        {"ha_websocket", true},
                        {"csv", true},
                        {"csv_path", csv_path},
                        {"log_level", "info"}};
        return dir.write("options.json", o.dump(2));
    }

    [[nodiscard]] std::vector<std::string> env(bool with_token = true) const {
        std::vector<std::string> e = {"/usr/bin/env"};
        if (with_token) e.push_back(std::string("SUPERVISOR_TOKEN=") + kSupervisorToken);
        return e;
    }

    std::vector<std::string> addon_config(const std::filesystem::path& options, bool with_token = true) const {
        auto argv = env(with_token);
        for (const std::string& a :
             {kamgw_binary().string(), std::string("addon-config"), std::string("--options"), options.string(),
              std::string("--output"), (dir / "out").string(), std::string("--supervisor"), supervisor->url(),
              std::string("--metrics-listen"), "127.0.0.1:" + std::to_string(health_port)})
            argv.push_back(a);
        return argv;
    }
};

mode_t mode_of(const std::filesystem::path& file) {
    struct stat st {};
    EXPECT_EQ(::stat(file.c_str(), &st), 0) << file;
    return st.st_mode & 07777;
}

void expect_no_secret(const std::string& text) {
    EXPECT_EQ(text.find("mosquitto-pw-Ohj7ch"), std::string::npos) << text;
    EXPECT_EQ(text.find(kSupervisorToken), std::string::npos) << text;
}

bool asked(const FakeHomeAssistant& supervisor, const std::string& prefix) {
    for (const auto& t : supervisor.targets())
        if (t.starts_with(prefix)) return true;
    return false;
}

TEST(HaAddon, AddonConfigTakesTheSupervisorsBrokerAndPassesCheck) {
    AddonFixture f;
    const auto r = run_command(f.addon_config(f.options((f.dir / "readings.csv").string())));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    expect_no_secret(r.output);
    EXPECT_NE(r.output.find("MQTT broker from the Supervisor: mqtt://127.0.0.1:" + std::to_string(f.broker.port()) +
                            " as user addons"),
              std::string::npos)
        << r.output;
    EXPECT_TRUE(asked(*f.supervisor, "GET /services/mqtt"));

    const auto out = f.dir / "out";
    const std::string toml = read_file(out / "kamgw.toml");
    expect_no_secret(toml);
    EXPECT_NE(toml.find("password_file = \"" + (out / "secrets/mqtt-password").string() + "\""), std::string::npos)
        << toml;
    EXPECT_NE(toml.find("url = \"" + f.supervisor->url() + "/core\""), std::string::npos) << toml;
    EXPECT_EQ(read_file(out / "secrets/mqtt-password"), "mosquitto-pw-Ohj7ch\n");
    EXPECT_EQ(read_file(out / "secrets/ha-token"), std::string(kSupervisorToken) + "\n");
    EXPECT_EQ(mode_of(out / "secrets/mqtt-password"), 0600u);
    EXPECT_EQ(mode_of(out / "secrets/ha-token"), 0600u);
    EXPECT_EQ(mode_of(out / "secrets"), 0700u);
    EXPECT_EQ(mode_of(out / "kamgw.toml"), 0600u);

    // Checked for the user running the test: the files are its own, 0600.
    const auto check = run_command({kamgw_binary().string(), "check", "--user", ::getpwuid(::geteuid())->pw_name, "-c",
                                    (out / "kamgw.toml").string()});
    EXPECT_EQ(check.exit_code, 0) << check.output << "\n" << toml;
    expect_no_secret(check.output);
}

TEST(HaAddon, WithoutABrokerFromTheSupervisorItSaysWhatToDo) {
    AddonFixture f;
    // A token the Supervisor refuses: it answers 401 to /services/mqtt.
    auto argv = f.addon_config(f.options((f.dir / "readings.csv").string()), false);
    argv.insert(argv.begin() + 1, "SUPERVISOR_TOKEN=wrong");
    const auto r = run_command(argv);
    EXPECT_EQ(r.exit_code, 78) << r.output;
    EXPECT_NE(r.output.find("HTTP 401"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("Mosquitto broker add-on, or fill in mqtt_broker"), std::string::npos) << r.output;
    EXPECT_FALSE(std::filesystem::exists(f.dir / "out/kamgw.toml"));

    const auto no_token = run_command(f.addon_config(f.options((f.dir / "readings.csv").string()), false));
    EXPECT_EQ(no_token.exit_code, 78) << no_token.output;
    EXPECT_NE(no_token.output.find("SUPERVISOR_TOKEN is not set"), std::string::npos) << no_token.output;
}

// As root (CI, and the Supervisor) the script drops to an unprivileged user: `nobody` stands in
// for the image's _kamgw here.
TEST(HaAddon, StartScriptRunsOnePollThroughEverySink) {
    AddonFixture f;
    const bool root = ::geteuid() == 0;
    // The add-on's folder lies in one only root may enter, as the Supervisor's /data may be.
    const auto data = f.dir / "data";
    std::filesystem::create_directory(data);
    std::filesystem::permissions(data, std::filesystem::perms::owner_all);
    const auto state = data / "kamgw/state";
    // The daemon writes the CSV file as the service user, into its own state folder.
    const auto options = f.options((state / "readings.csv").string());
    auto argv = f.env();
    for (const std::string& e :
         {"KAMGW_BINARY=" + kamgw_binary().string(), "KAMGW_ADDON_OPTIONS=" + options.string(),
          "KAMGW_ADDON_DIR=" + (data / "kamgw").string(), "KAMGW_SUPERVISOR_URL=" + f.supervisor->url(),
          std::string("KAMGW_SERVICE_USER=nobody"), std::string("bash"),
          (source_dir() / "packaging/ha-addon/run.sh").string(), std::string("--once")})
        argv.push_back(e);
    const auto r = run_command(argv, 120s);
    // --once: 0 only when every sink took the poll (mqtt-ha with the Supervisor's credentials,
    // ha-websocket through the proxy, csv).
    ASSERT_EQ(r.exit_code, 0) << r.output;
    expect_no_secret(r.output);
    EXPECT_GE(f.supervisor->state_count(), 3u);
    EXPECT_TRUE(asked(*f.supervisor, "GET /core/api/websocket"));
    EXPECT_TRUE(asked(*f.supervisor, "POST /core/api/states/sensor.kamgw_"));
    // Discovery is retained: a subscriber after the run still finds what the daemon announced.
    mqtt_ha::test::Recorder discovery(f.broker.port(), {"homeassistant/sensor/#"},
                                      {.password = true, .user = "addons", .pass = "mosquitto-pw-Ohj7ch"});
    EXPECT_TRUE(wait_until([&] { return !discovery.messages().empty(); }, 10s)) << "no discovery on the broker";
    const std::string csv = read_file(state / "readings.csv");
    EXPECT_NE(csv.find("heat_energy"), std::string::npos) << csv;
    if (root) {
        struct stat st {};
        ASSERT_EQ(::stat((state / "readings.csv").c_str(), &st), 0);
        EXPECT_NE(st.st_uid, 0u) << "the daemon ran as root";
        EXPECT_EQ(mode_of(data / "kamgw/secrets/mqtt-password"), 0640u) << "the daemon's group reads its secrets";
    }
}

}  // namespace
}  // namespace kamgw::test
