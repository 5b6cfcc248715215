// A stand-in for the daemon in the last-will test: hosts the mqtt-ha plugin in its own
// process, writes one MC403 batch, prints "ready" and then idles like a lane until killed.
//   mqtt_ha_sink_runner <broker port> <state dir>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

#include "plugins/sink-mqtt-ha/tests/mc403_batch.hpp"
#include "tests/integration/mqtt/mqtt_harness.hpp"

int main(int argc, char** argv) {
    using namespace kamgw::mqtt_ha::test;
    if (argc != 3) {
        std::fprintf(stderr, "usage: %s PORT STATE_DIR\n", argv[0]);
        return 64;
    }
    kamgw::ConfigTable config;
    config.set("url", std::string("mqtt://127.0.0.1:") + argv[1]);
    config.set("keepalive", std::chrono::milliseconds(60000));
    TestHost host(config, argv[2], house_meter());
    LoadedPlugin plugin;
    auto sink = plugin.make();
    sink->start(host);
    const kamgw::ReadingBatch batch = mc403_batch();
    if (write_until_done(*sink, {&batch, 1}, std::chrono::seconds(30)).code != kamgw::WriteResult::Code::ok) {
        std::fprintf(stderr, "could not publish\n");
        return 69;
    }
    std::printf("ready\n");
    std::fflush(stdout);
    for (;;) {
        sink->idle();
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
}
