// What the status page costs the daemon: memory of a day of charts per meter (the rings full,
// counted and as resident memory), and the time and bytes of one /api/status document, which
// every open page asks for every 5 seconds.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "core/app/meter_history.hpp"
#include "core/app/status_api.hpp"
#include "core/kmp/register_catalogue.hpp"

namespace {

using namespace kamgw;
using namespace kamgw::app;

const TimePoint day_start{std::chrono::seconds(1796169600)};
const std::vector<std::string> keys = {"heat_energy", "volume", "power", "flow", "t_forward", "t_return"};

std::vector<config::MeterConfig> meters(int count) {
    std::vector<config::MeterConfig> out;
    for (int i = 0; i < count; ++i) {
        config::MeterConfig m;
        m.name = "meter-" + std::to_string(i);
        for (const auto& key : keys) m.registers.push_back({*kmp::resolve_register(key), {}});
        out.push_back(std::move(m));
    }
    return out;
}

// A day of polls every `interval` seconds for every meter.
void fill(MeterHistory& history, const std::vector<config::MeterConfig>& configured, int interval) {
    for (int s = 0; s < 86400; s += interval) {
        for (std::size_t i = 0; i < configured.size(); ++i) {
            ReadingBatch b;
            b.meter.name = configured[i].name;
            b.started = b.finished = day_start + std::chrono::seconds(s);
            for (const auto& r : configured[i].registers) {
                Reading reading;
                reading.register_id = r.info.id;
                reading.key = std::string(r.info.key);
                reading.name = std::string(r.info.name);
                reading.value = Decimal{static_cast<std::uint64_t>(1000 + (s / interval + i) % 500), -1, false};
                reading.unit = Unit::kW;
                reading.time = b.started;
                b.readings.push_back(std::move(reading));
            }
            history.record(configured[i].name, b);
            MeterStatus status;
            status.time = b.started;
            status.health = MeterHealth::ok;
            status.counters.requests = static_cast<std::uint64_t>(s / interval + 1) * 6;
            status.counters.responses = status.counters.requests;
            history.record(configured[i].name, status);
        }
    }
}

long resident_kib() {
    std::ifstream statm("/proc/self/statm");
    long size = 0, resident = 0;
    statm >> size >> resident;
    return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

std::vector<StatusMeter> status_meters(const MeterHistory& history, const std::vector<config::MeterConfig>& cfg,
                                       TimePoint now) {
    std::vector<StatusMeter> out;
    for (const auto& m : cfg) {
        StatusMeter s;
        s.meter.name = m.name;
        s.meter.identity = {m.name, "5550601", "MULTICAL 403", "K1", 0};
        s.meter.health = MeterHealth::ok;
        s.interval = std::chrono::seconds(60);
        s.last_poll = now;
        s.next_poll = now + std::chrono::seconds(60);
        for (const auto& r : m.registers) s.register_keys.emplace_back(r.info.key);
        s.history = history.snapshot(m.name, now);
        out.push_back(std::move(s));
    }
    return out;
}

// The memory a day of minute polls takes, per meter (power and flow charted).
void BM_HistoryMemory(benchmark::State& state) {
    const int count = static_cast<int>(state.range(0));
    for (auto _ : state) {
        const long before = resident_kib();
        MeterHistory history;
        const auto cfg = meters(count);
        history.configure(cfg);
        fill(history, cfg, 60);
        const long after = resident_kib();
        std::size_t counted = 0;
        for (const auto& m : cfg) counted += history.bytes(m.name);
        state.counters["counted_bytes_per_meter"] = static_cast<double>(counted) / count;
        state.counters["rss_kib_per_meter"] = static_cast<double>(after - before) / count;
    }
}
BENCHMARK(BM_HistoryMemory)->Arg(100)->Arg(1000)->Iterations(1)->Unit(benchmark::kMillisecond);

// One /api/status document with full 24 h charts (1,440 points each for power and flow):
// all points (-1, what a script gets), thinned to the page's 360 a minute, none (the page's
// refresh every 5 s in between).
void BM_RenderStatus(benchmark::State& state) {
    const int count = static_cast<int>(state.range(0));
    const std::optional<std::size_t> max_points =
        state.range(1) < 0 ? std::nullopt : std::optional<std::size_t>(static_cast<std::size_t>(state.range(1)));
    MeterHistory history;
    const auto cfg = meters(count);
    history.configure(cfg);
    fill(history, cfg, 60);
    const TimePoint now = day_start + std::chrono::hours(24);
    const StatusGateway gateway{"bench",
                                "0.1.0",
                                "/etc/kamgw/kamgw.toml",
                                day_start,
                                false,
                                std::chrono::seconds(60),
                                std::chrono::seconds(60)};
    GatewaySnapshot snapshot;
    snapshot.now = now;
    std::size_t bytes = 0;
    for (auto _ : state) {
        const std::string doc = render_status(gateway, status_meters(history, cfg, now), {}, snapshot, max_points);
        bytes = doc.size();
        benchmark::DoNotOptimize(doc.data());
    }
    state.counters["bytes"] = static_cast<double>(bytes);
    state.counters["bytes_per_meter"] = static_cast<double>(bytes) / count;
}
BENCHMARK(BM_RenderStatus)
    ->ArgNames({"meters", "points"})
    ->ArgsProduct({{1, 10, 100}, {-1, 360, 0}})
    ->Unit(benchmark::kMillisecond);

// Recording one poll (what each meter's poll costs the io thread).
void BM_RecordPoll(benchmark::State& state) {
    MeterHistory history;
    const auto cfg = meters(1);
    history.configure(cfg);
    int s = 0;
    ReadingBatch b;
    b.meter.name = cfg[0].name;
    for (const auto& r : cfg[0].registers) {
        Reading reading;
        reading.key = std::string(r.info.key);
        reading.name = std::string(r.info.name);
        reading.value = Decimal{1234, -1, false};
        b.readings.push_back(reading);
    }
    for (auto _ : state) {
        for (auto& r : b.readings) r.time = day_start + std::chrono::seconds(s);
        s += 60;
        history.record(cfg[0].name, b);
    }
}
BENCHMARK(BM_RecordPoll);

}  // namespace

BENCHMARK_MAIN();
