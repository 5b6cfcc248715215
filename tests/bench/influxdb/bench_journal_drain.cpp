// A day of readings from 100 meters left in the journal while InfluxDB was away, drained by the
// real lane and the influxdb sink into a real influxd 1.6, as after an outage and a restart:
// hourly polls (2,400 batches) and one-minute polls (144,000 batches), 7 points each. Prints
// how long the journal took to fill (sync per interval, as it would by the hour) and to drain.
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include "core/base/logging.hpp"
#include "core/bus/reading_bus.hpp"
#include "plugins/sink-influxdb/influxdb_sink.hpp"
#include "plugins/sink-influxdb/tests/test_batches.hpp"
#include "tests/integration/influxdb/influxd_server.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

using namespace std::chrono_literals;
using Seconds = std::chrono::duration<double>;
namespace test = kamgw::influxdb::test;

void run(const kamgw::test::TempDir& dir, test::InfluxdServer& server, int interval_s) {
    const std::string db = "drain_" + std::to_string(interval_s);
    server.execute("CREATE DATABASE " + db);
    const auto state = dir.path() / ("state-" + std::to_string(interval_s));
    const int polls_per_meter = 86400 / interval_s;
    const std::size_t batches = static_cast<std::size_t>(polls_per_meter) * 100;

    const auto t_fill = std::chrono::steady_clock::now();
    {
        kamgw::bus::JournalSettings settings;
        settings.dir = state / "journal";
        settings.max_bytes = 8ull << 30;
        settings.sync = kamgw::bus::JournalSync::interval;
        kamgw::bus::Journal journal(settings, kamgw::base::make_logger("journal"));
        journal.open();
        // The sink existed before the outage: its position is at the start of the backlog.
        journal.add_consumer("influxdb", state / "sinks" / "influxdb" / "cursor");
        // Yesterday: well inside the journal's age bound.
        const std::int64_t start =
            std::chrono::duration_cast<std::chrono::seconds>(kamgw::Clock::now().time_since_epoch()).count() - 86400;
        for (int p = 0; p < polls_per_meter; ++p)
            for (int m = 0; m < 100; ++m)
                journal.append(test::mc403_poll("meter " + std::to_string(m), std::to_string(10000000 + m),
                                                test::at_seconds(start + p * interval_s + m), p));
        journal.close();
    }
    const double fill_s = Seconds(std::chrono::steady_clock::now() - t_fill).count();

    kamgw::bus::HostServices services;
    services.state_root = state;
    kamgw::bus::ReadingBus bus(services);
    kamgw::config::SinkConfig cfg;
    cfg.type = cfg.name = "influxdb";
    cfg.options.set("url", server.url());
    cfg.options.set("database", db);
    cfg.options.set("timeout", std::chrono::milliseconds(60000));
    const auto t_drain = std::chrono::steady_clock::now();
    bus.add_lane(std::make_unique<kamgw::influxdb::InfluxdbSink>(), cfg, {.batch_size = 700, .flush_interval = 10s});
    bus.start();
    // Done when nothing waits for the sink any more (delivered, or counted as dropped).
    while (bus.stats().at(0).queued_batches != 0 && bus.stats().at(0).retries < 100) std::this_thread::sleep_for(5ms);
    const double drain_s = Seconds(std::chrono::steady_clock::now() - t_drain).count();
    const auto lane = bus.stats().at(0);
    bus.stop(10s);
    std::printf(
        "journal drain, 100 meters every %ds for a day: %zu batches (%zu points), journal filled in %.2f s "
        "(%.0f batches/s); drained into influxd in %.2f s: %.0f batches/s, %.0f points/s, %llu retries, "
        "%llu dropped; %lld points stored\n",
        interval_s, batches, batches * 7, fill_s, static_cast<double>(batches) / fill_s, drain_s,
        static_cast<double>(lane.written_batches) / drain_s, static_cast<double>(lane.written_batches * 7) / drain_s,
        static_cast<unsigned long long>(lane.retries), static_cast<unsigned long long>(lane.dropped),
        static_cast<long long>(server.count(db, "kamstrup")));
}

}  // namespace

int main() {
    spdlog::set_level(spdlog::level::warn);
    kamgw::test::TempDir dir;
    std::filesystem::create_directories(dir.path() / "influx");
    test::InfluxdServer server(dir.path() / "influx");
    for (int interval : {3600, 60}) run(dir, server, interval);
    return 0;
}
