// How often an idle kamgw wakes up: the real `kamgw run` with one meter read hourly and all four
// sinks (CSV, InfluxDB against a real influxd, mqtt-ha against a real mosquitto, ha-websocket
// against the fake Home Assistant), measured after the first poll. A wakeup is a context switch
// of any of the daemon's threads (voluntary and involuntary, from /proc/<pid>/task/*/status).
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <thread>

#include "tests/fixtures/fake-home-assistant/fake_home_assistant.hpp"
#include "tests/integration/daemon-sinks/sink_daemon.hpp"
#include "tests/integration/influxdb/influxd_server.hpp"
#include "tests/integration/mqtt/mqtt_harness.hpp"

namespace {

using namespace std::chrono_literals;

struct Switches {
    std::uint64_t total = 0;
    std::size_t threads = 0;
    std::map<std::string, std::uint64_t> by_thread;  // "tid name" -> switches
};

Switches context_switches(pid_t pid) {
    Switches s;
    const std::filesystem::path tasks = "/proc/" + std::to_string(pid) + "/task";
    std::error_code ec;
    for (const auto& task : std::filesystem::directory_iterator(tasks, ec)) {
        std::ifstream status(task.path() / "status");
        std::string name;
        std::uint64_t n = 0;
        for (std::string line; std::getline(status, line);) {
            if (line.rfind("Name:", 0) == 0) name = line.substr(6);
            if (line.rfind("voluntary_ctxt_switches:", 0) == 0 || line.rfind("nonvoluntary_ctxt_switches:", 0) == 0)
                n += std::stoull(line.substr(line.find(':') + 1));
        }
        s.total += n;
        s.by_thread[task.path().filename().string() + " " + name] = n;
        ++s.threads;
    }
    return s;
}

}  // namespace

int main(int argc, char** argv) {
    const auto window = std::chrono::seconds(argc > 1 ? std::stoi(argv[1]) : 60);
    using namespace kamgw::test;
    TempDir dir;
    std::filesystem::create_directories(dir / "influx");
    kamgw::influxdb::test::InfluxdServer influx(dir / "influx");
    influx.execute("CREATE DATABASE kamstrup");
    kamgw::mqtt_ha::test::Broker broker(dir);
    kamgw::test::FakeHomeAssistant ha;
    daemon_sinks::SinkDaemon daemon(
        dir, {.serial = 5550501,
              .interval = "1h",
              .sink_toml = "[[sink]]\ntype = \"influxdb\"\nurl = \"" + influx.url() +
                           "\"\ndatabase = \"kamstrup\"\n\n[[sink]]\ntype = \"mqtt-ha\"\nurl = \"mqtt://127.0.0.1:" +
                           std::to_string(broker.port()) + "\"\n\n[[sink]]\ntype = \"ha-websocket\"\nurl = \"" +
                           ha.url() + "\"\ntoken = \"good-token\"\n"});
    if (!daemon.wait_for_polls(1, 60s)) {
        std::fprintf(stderr, "no first poll:\n%s\n", daemon.log().c_str());
        return 1;
    }
    std::this_thread::sleep_for(10s);  // the first deliveries and connections settle
    const Switches before = context_switches(daemon.pid());
    std::this_thread::sleep_for(window);
    const Switches after = context_switches(daemon.pid());
    const double rate = static_cast<double>(after.total - before.total) / static_cast<double>(window.count());
    std::printf(
        "idle kamgw, 1 meter hourly, 4 sinks (csv, influxdb, mqtt-ha, ha-websocket), %d threads: %llu "
        "wakeups in %lld s = %.3f wakeups/s\n",
        static_cast<int>(after.threads), static_cast<unsigned long long>(after.total - before.total),
        static_cast<long long>(window.count()), rate);
    for (const auto& [thread, n] : after.by_thread) {
        const auto it = before.by_thread.find(thread);
        std::printf("  thread %-24s %llu\n", thread.c_str(),
                    static_cast<unsigned long long>(n - (it == before.by_thread.end() ? 0 : it->second)));
    }
    daemon.stop();
    return 0;
}
