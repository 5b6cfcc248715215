// The status page of a running `kamgw run` with two simulated meters, one of them on a link
// that garbles answers: rendered by a real browser (Debian's headless Chromium), its JSON
// checked against the published schema by an independent validator (python3-jsonschema), and
// its access rules tried from outside with curl.
#include <gtest/gtest.h>
#include <signal.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <thread>

#include "tests/support/network.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace kamgw::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

const std::filesystem::path chromium = "/usr/bin/chromium";

class StatusPageTest : public ::testing::Test {
protected:
    // Two meters read every second, charts one point a second so a test run draws a curve.
    ChildProcess start(const std::string& gateway_extra = {}, const std::string& listen_host = "127.0.0.1",
                       const std::string& interval = "1s") {
        port = free_port();
        base = "http://127.0.0.1:" + std::to_string(port);
        const auto cfg = dir.write(
            "kamgw.toml",
            "[gateway]\nid = \"status\"\nstate_dir = \"" + (dir / "state").string() +
                "\"\nshutdown_timeout = \"3s\"\nchart_resolution = \"1s\"\nmetrics_listen = \"" + listen_host + ":" +
                std::to_string(port) + "\"\n" + gateway_extra +
                "\n[[meter]]\nname = \"house\"\nurl = \"sim://multical403?serial=5550601\"\n"
                "interval = \"" +
                interval +
                "\"\nregisters = [\"heat_energy\", \"volume\", \"power\", \"flow\", "
                "\"t_forward\", \"t_return\"]\nchart = [\"t_forward\"]\n\n"
                // One bad answer (retried) and a register the meter lacks.
                "[[meter]]\nname = \"cellar\"\nurl = \"sim://multical403?serial=5550602&faults=corrupt=1,omit=80\"\n"
                "interval = \"" +
                interval +
                "\"\nregisters = [\"heat_energy\", \"power\", \"flow\"]\n\n"
                // An IR head that sees nothing.
                "[[meter]]\nname = \"garage\"\nurl = \"sim://multical403?serial=5550603&faults=silent\"\n"
                "interval = \"" +
                interval +
                "\"\nregisters = [\"heat_energy\"]\n\n"
                "[[sink]]\ntype = \"csv\"\npath = \"" +
                (dir / "readings.csv").string() + "\"\n");
        return ChildProcess({kamgw_binary().string(), "run", "-c", cfg.string()}, dir / "kamgw.log");
    }
    [[nodiscard]] std::string log() const { return read_file(dir / "kamgw.log"); }

    CommandResult curl(const std::vector<std::string>& args) {
        std::vector<std::string> argv{"curl", "-s", "-o", "/dev/stdout", "-w", "\n%{http_code}"};
        argv.insert(argv.end(), args.begin(), args.end());
        return run_command(argv, 20s);
    }
    static int status_of(const CommandResult& r) { return std::stoi(r.output.substr(r.output.rfind('\n') + 1)); }
    static std::string body_of(const CommandResult& r) { return r.output.substr(0, r.output.rfind('\n')); }

    json status(const std::vector<std::string>& auth = {}) {
        std::vector<std::string> args = auth;
        args.push_back(base + "/api/status");
        const auto r = curl(args);
        if (r.exit_code != 0 || status_of(r) != 200) return nullptr;
        return json::parse(body_of(r), nullptr, false);
    }

    static std::size_t points_of(const json& doc, const std::string& meter, const std::string& key) {
        for (const auto& m : doc["meters"])
            if (m["name"] == meter)
                for (const auto& c : m["charts"])
                    if (c["key"] == key) return c["points"].size();
        return 0;
    }

    // Headless Chromium, the switches that keep it from reaching out to the internet, and a
    // profile of its own.
    CommandResult browse(const std::vector<std::string>& extra, const std::string& url) {
        std::vector<std::string> argv{chromium.string(),
                                      "--headless",
                                      "--no-sandbox",
                                      "--disable-gpu",
                                      "--disable-quic",
                                      "--no-first-run",
                                      "--disable-background-networking",
                                      "--disable-component-update",
                                      "--disable-sync",
                                      "--user-data-dir=" + (dir / "chromium-profile").string(),
                                      "--virtual-time-budget=8000"};
        argv.insert(argv.end(), extra.begin(), extra.end());
        argv.push_back(url);
        return run_command(argv, 120s);
    }

    TempDir dir;
    std::uint16_t port = 0;
    std::string base;
};

std::filesystem::path artifact_dir() {
    const auto d = std::filesystem::path(KAMGW_TEST_ARTIFACT_DIR);
    std::filesystem::create_directories(d);
    return d;
}

TEST_F(StatusPageTest, ChromiumRendersTheMetersTheirValuesAndTheirCurves) {
    ASSERT_TRUE(std::filesystem::exists(chromium)) << "install the chromium package (packaging/build-deps.txt)";
    auto kamgw = start();
    json doc;
    ASSERT_TRUE(wait_until(
        [&] {
            doc = status();
            return !doc.is_null() && points_of(doc, "house", "power") >= 6 && points_of(doc, "cellar", "flow") >= 3 &&
                   doc["meters"][2]["health"] == "no_answer";
        },
        60s))
        << log();

    const auto dom = browse({"--dump-dom"}, base + "/");
    ASSERT_EQ(dom.exit_code, 0) << dom.output;
    const std::string& html = dom.output;
    EXPECT_NE(html.find("data-loaded=\"true\""), std::string::npos) << "the page's script did not render:\n" << html;
    EXPECT_NE(html.find("data-meter=\"house\""), std::string::npos) << html;
    EXPECT_NE(html.find("data-meter=\"cellar\""), std::string::npos) << html;
    EXPECT_NE(html.find("5550601"), std::string::npos) << "the house meter's serial";
    EXPECT_NE(html.find("MULTICAL 403"), std::string::npos);

    // Each value cell shows the meter's digits and unit, as /api/status has them.
    const std::regex cell(R"re(<td class="num value" data-key="heat_energy">([0-9.]+) MWh</td>)re");
    std::smatch m;
    ASSERT_TRUE(std::regex_search(html, m, cell)) << html;
    EXPECT_GT(std::stod(m[1].str()), 0);

    // The charts: an SVG per charted register, with a polyline of as many points as it says.
    const std::string chart_marker = "data-key=\"power\" data-points=\"";
    const auto chart_at = html.find(chart_marker);
    ASSERT_NE(chart_at, std::string::npos) << html;
    const int points = std::stoi(html.substr(chart_at + chart_marker.size()));
    EXPECT_GE(points, 6);
    const std::string line_marker = "<polyline points=\"";
    const auto line_at = html.find(line_marker, chart_at);
    ASSERT_NE(line_at, std::string::npos) << html;
    const auto line_end = html.find('"', line_at + line_marker.size());
    std::istringstream pairs(html.substr(line_at + line_marker.size(), line_end - line_at - line_marker.size()));
    int drawn = 0;
    for (std::string pair; pairs >> pair;) {
        EXPECT_NE(pair.find(','), std::string::npos) << pair;
        ++drawn;
    }
    EXPECT_EQ(drawn, points);
    EXPECT_NE(html.find("data-key=\"t_forward\""), std::string::npos) << "the register the meter charts too";
    EXPECT_NE(html.find("data-key=\"flow\""), std::string::npos);
    // The link that garbles answers shows it.
    EXPECT_NE(html.find("class=\"dot partial\""), std::string::npos) << html;
    EXPECT_NE(html.find("csv (csv)"), std::string::npos) << "the sink table";
    // The meter that does not answer is named under "Needs attention", the lacking register
    // with its reason.
    EXPECT_NE(html.find("<li class=\"failing\">garage: "), std::string::npos) << html;
    EXPECT_NE(html.find("not supported"), std::string::npos) << html;

    const auto body = curl({base + "/"});
    const auto api = curl({base + "/api/status"});
    std::printf("[status page] page %zu bytes, /api/status %zu bytes (3 meters, %d power points)\n",
                body_of(body).size(), body_of(api).size(), points);

    const auto shot = artifact_dir() / "status-page.png";
    const auto phone = artifact_dir() / "status-page-phone.png";
    std::filesystem::remove(shot);
    std::filesystem::remove(phone);
    ASSERT_EQ(
        browse({"--screenshot=" + shot.string(), "--window-size=1280,1400", "--hide-scrollbars"}, base + "/").exit_code,
        0);
    ASSERT_EQ(
        browse({"--screenshot=" + phone.string(), "--window-size=390,1600", "--hide-scrollbars"}, base + "/").exit_code,
        0);
    for (const auto& png : {shot, phone}) {
        ASSERT_TRUE(std::filesystem::exists(png)) << png;
        const std::string bytes = read_file(png);
        EXPECT_EQ(bytes.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
        EXPECT_GT(bytes.size(), 20'000u) << "an empty page is smaller";
        std::printf("[status page] screenshot %s (%zu bytes)\n", png.string().c_str(), bytes.size());
    }
    kamgw.send_signal(SIGTERM);
    EXPECT_EQ(kamgw.wait_exit(20s), 0) << log();
}

TEST_F(StatusPageTest, ApiStatusFollowsItsPublishedSchema) {
    auto kamgw = start();
    json doc;
    ASSERT_TRUE(wait_until(
        [&] {
            doc = status();
            return !doc.is_null() && points_of(doc, "house", "power") >= 2;
        },
        60s))
        << log();
    const auto schema = source_dir() / "core/app/status-api.schema.json";
    auto validate = [&](const json& d) {
        const auto file = dir.write("status.json", d.dump());
        return run_command({"/usr/bin/python3", "-c",
                            "import json, sys, jsonschema\n"
                            "jsonschema.validate(json.load(open(sys.argv[1])), json.load(open(sys.argv[2])))\n",
                            file.string(), schema.string()},
                           30s);
    };
    const auto ok = validate(doc);
    EXPECT_EQ(ok.exit_code, 0) << ok.output << doc.dump(2);
    EXPECT_EQ(doc["schema"], 1);
    EXPECT_EQ(doc["meters"].size(), 3u);
    EXPECT_EQ(doc["meters"][0]["readings"].size(), 6u);

    // The validator is no rubber stamp: what breaks the contract is refused.
    json broken = doc;
    broken["meters"][0]["health"] = "fine";
    EXPECT_NE(validate(broken).exit_code, 0);
    broken = doc;
    broken["gateway"].erase("uptime_seconds");
    EXPECT_NE(validate(broken).exit_code, 0);
    broken = doc;
    broken["meters"][0]["charts"][0]["points"][0] = json::array({1});
    EXPECT_NE(validate(broken).exit_code, 0);
    kamgw.send_signal(SIGTERM);
    EXPECT_EQ(kamgw.wait_exit(20s), 0) << log();
}

TEST_F(StatusPageTest, ATokenGuardsEveryPageAndReadNowKeepsTheBatteryGuard) {
    const std::string token = "status-page-token-7f3a";
    // Meters read once an hour: "read now" is what brings the next reading.
    auto kamgw = start("metrics_token = \"" + token + "\"\nstatus_read_now = true\nread_now_min_interval = \"2s\"\n",
                       "0.0.0.0", "1h");
    const std::vector<std::string> bearer{"-H", "Authorization: Bearer " + token};
    ASSERT_TRUE(wait_until([&] { return !status(bearer).is_null(); }, 30s)) << log();

    for (const std::string path : {"/", "/api/status", "/metrics", "/health"}) {
        const auto anonymous = curl({"-D", "-", base + path});
        EXPECT_EQ(status_of(anonymous), 401) << path;
        EXPECT_NE(anonymous.output.find("WWW-Authenticate: Basic"), std::string::npos) << anonymous.output;
        EXPECT_EQ(status_of(curl({"-H", "Authorization: Bearer wrong", base + path})), 401) << path;
        EXPECT_EQ(status_of(curl({"-H", "Authorization: Bearer " + token, base + path})), 200) << path;
        EXPECT_EQ(status_of(curl({"-u", "anyone:" + token, base + path})), 200) << path;
    }
    EXPECT_EQ(status_of(curl({"-u", "anyone:wrong", base + "/"})), 401);
    EXPECT_TRUE(status(bearer)["gateway"]["read_now"].get<bool>());

    const std::string read_url = base + "/api/meters/house/read";
    const std::vector<std::string> action{"-X", "POST", "--data", "", "-H", "X-Kamgw-Action: read-now"};
    auto post = [&](std::vector<std::string> args) {
        args.insert(args.end(), action.begin(), action.end());
        return curl(args);
    };
    // Without the token, and without the header a cross-site form cannot send.
    EXPECT_EQ(status_of(post({read_url})), 401);
    EXPECT_EQ(status_of(curl({"-X", "POST", "--data", "", "-H", "Authorization: Bearer " + token, read_url})), 400);
    EXPECT_EQ(status_of(post({"-H", "Authorization: Bearer " + token, base + "/api/meters/nobody/read"})), 404);
    // The guard counts from the last read, scheduled or not: right after one, "read now" is
    // refused; 2 s later one goes through, and the next is refused again.
    const auto polls_before = status(bearer)["meters"][0]["link"]["polls"].get<int>();
    std::size_t accepted = 0;
    ASSERT_TRUE(wait_until(
        [&] {
            const int code = status_of(post({"-H", "Authorization: Bearer " + token, read_url}));
            if (code == 202) ++accepted;
            std::this_thread::sleep_for(100ms);
            return accepted >= 1 && code == 429;
        },
        30s))
        << log();
    ASSERT_TRUE(wait_until([&] { return status(bearer)["meters"][0]["link"]["polls"].get<int>() > polls_before; }, 20s))
        << "the read that was let through happened";
    const auto refused = post({"-H", "Authorization: Bearer " + token, read_url});
    EXPECT_EQ(status_of(refused), 429);
    EXPECT_NE(body_of(refused).find("rate_limited"), std::string::npos) << body_of(refused);
    kamgw.send_signal(SIGTERM);
    EXPECT_EQ(kamgw.wait_exit(20s), 0) << log();
    EXPECT_EQ(log().find(token), std::string::npos) << "the token never reaches the log";
    EXPECT_EQ(log().find("can be reached from other machines"), std::string::npos);
}

TEST_F(StatusPageTest, AReloadKeepsTheCurvesAndShowsTheNewMeter) {
    auto kamgw = start();
    json doc;
    ASSERT_TRUE(wait_until(
        [&] {
            doc = status();
            return !doc.is_null() && points_of(doc, "house", "power") >= 3;
        },
        60s))
        << log();
    const auto before = points_of(doc, "house", "power");
    dir.write("conf.d/shed.toml",
              "[[meter]]\nname = \"shed\"\nurl = \"sim://multical403?serial=5550604\"\ninterval = \"1s\"\n"
              "registers = [\"heat_energy\", \"power\"]\n");
    kamgw.send_signal(SIGHUP);
    ASSERT_TRUE(wait_until(
        [&] {
            doc = status();
            return !doc.is_null() && doc["meters"].size() == 4u && points_of(doc, "shed", "power") >= 1;
        },
        60s))
        << log();
    EXPECT_GE(points_of(doc, "house", "power"), before) << "the house's curve was kept";
    EXPECT_EQ(doc["gateway"]["config_file"], (dir / "kamgw.toml").string());
    kamgw.send_signal(SIGTERM);
    EXPECT_EQ(kamgw.wait_exit(20s), 0) << log();
}

TEST_F(StatusPageTest, AnExposedPageWithoutATokenIsWarnedAbout) {
    auto kamgw = start({}, "0.0.0.0");
    ASSERT_TRUE(wait_until([&] { return log().find("can be reached from other machines") != std::string::npos; }, 30s))
        << log();
    kamgw.send_signal(SIGTERM);
    EXPECT_EQ(kamgw.wait_exit(20s), 0) << log();
}

TEST_F(StatusPageTest, ReadNowWithoutATokenIsAConfigurationError) {
    const auto cfg =
        dir.write("kamgw.toml", "[gateway]\nmetrics_listen = \"127.0.0.1:9780\"\nstatus_read_now = true\n");
    const auto r = run_command({kamgw_binary().string(), "check", "-c", cfg.string()});
    EXPECT_EQ(r.exit_code, 78) << r.output;
    EXPECT_NE(r.output.find("kamgw.toml:3:19"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("needs a metrics_token"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace kamgw::test
