// The plain mqtt sink read by Node-RED: the recipe flow from plugins/sink-mqtt/recipes, run by a
// real Node-RED against a real mosquitto, writes one line per reading it parsed; every reading
// of the daemon's CSV record must be among them, with the same meter, key, time and value.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>
#include <tuple>

#include "tests/integration/daemon-sinks/sink_daemon.hpp"
#include "tests/integration/mqtt/mqtt_harness.hpp"
#include "tests/support/network.hpp"

namespace kamgw::test::daemon_sinks {
namespace {

// Where `packaging/setup.sh test-peers` installs it, unless $KAMGW_NODE_RED names another.
std::filesystem::path node_red_binary() {
    if (const char* path = std::getenv("KAMGW_NODE_RED")) return path;
    return source_dir() / "build/test-peers/node-red/node_modules/.bin/node-red";
}

std::vector<nlohmann::json> lines_of(const std::filesystem::path& file) {
    std::vector<nlohmann::json> out;
    std::ifstream in(file);
    std::string line;
    while (std::getline(in, line)) {
        auto j = nlohmann::json::parse(line, nullptr, false);
        if (!j.is_discarded()) out.push_back(std::move(j));
    }
    return out;
}

using Reading = std::tuple<std::string, std::string, double>;  // key, time, value

TEST(NodeRed, TheRecipeFlowParsesExactlyWhatTheCsvRecorded) {
    const auto node_red = node_red_binary();
    ASSERT_TRUE(std::filesystem::exists(node_red))
        << node_red << " is missing: `packaging/setup.sh test-peers` installs Node-RED for this test";
    TempDir dir;
    mqtt_ha::test::Broker broker(dir);
    const auto user_dir = dir.path() / "node-red";
    const auto out = dir.path() / "node-red-readings.txt";
    std::filesystem::create_directories(user_dir);
    std::filesystem::copy_file(source_dir() / "plugins/sink-mqtt/recipes/node-red-flow.json", user_dir / "flows.json");
    ChildProcess flow(
        {node_red.string(), "--userDir", user_dir.string(), "--port", std::to_string(free_port()), "flows.json"},
        dir.path() / "node-red.log",
        {{"MQTT_HOST", "127.0.0.1"}, {"MQTT_PORT", std::to_string(broker.port())}, {"KAMGW_OUT", out.string()}});

    // Node-RED is subscribed once a probe on a reading topic comes out of the flow.
    mqtt_ha::test::Recorder probe(broker.port(), {"kamgw-test/unused"});
    const std::string probe_json = R"({"meter":"probe","key":"probe","value":1,"unit":"","time":"probe"})";
    ASSERT_TRUE(wait_until(
        [&] {
            probe.publish("kamgw/probe/probe/probe", probe_json);
            for (const auto& j : lines_of(out))
                if (j.value("meter", "") == "probe") return true;
            std::this_thread::sleep_for(500ms);
            return false;
        },
        90s))
        << flow.log();

    SinkDaemon daemon(dir, {.serial = 5550301,
                            .sink_toml = "[[sink]]\ntype = \"mqtt\"\nurl = \"mqtt://127.0.0.1:" +
                                         std::to_string(broker.port()) + "\"\npayload = \"json\"\n"});
    ASSERT_TRUE(daemon.wait_for_polls(4, 90s)) << daemon.log();
    ASSERT_EQ(daemon.stop(), 0) << daemon.log();  // SIGTERM: the lane drains before the exit

    std::multiset<Reading> expected;
    for (const CsvPoll& poll : distinct_polls(daemon.polls()))
        for (const auto& [key, text] : poll.values)
            if (poll.quality.at(key) != "error") expected.emplace(key, poll.time, std::stod(text));
    std::multiset<Reading> parsed;
    const auto read_flow = [&] {
        parsed.clear();
        for (const auto& j : lines_of(out)) {
            if (j.value("meter", "") != "house") continue;
            EXPECT_EQ(j["topic"], "kamgw/dsgw/house/" + j["key"].get<std::string>());
            parsed.emplace(j["key"].get<std::string>(), j["time"].get<std::string>(), j["value"].get<double>());
        }
        return parsed.size() >= expected.size();
    };
    ASSERT_TRUE(wait_until(read_flow, 60s)) << parsed.size() << " of " << expected.size() << "\n" << flow.log();
    std::size_t matched = 0;
    for (const Reading& r : expected) matched += parsed.count(r) > 0 ? 1 : 0;
    std::printf("[node-red] CSV: %zu readings in %zu polls; Node-RED parsed %zu, %zu of them equal to the CSV's\n",
                expected.size(), distinct_polls(daemon.polls()).size(), parsed.size(), matched);
    EXPECT_EQ(matched, expected.size());
    EXPECT_EQ(parsed, expected);  // nothing more, nothing twice
}

}  // namespace
}  // namespace kamgw::test::daemon_sinks
