// Throughput of one lane to a sink that does nothing, what publish() costs a meter session
// when a slow sink is attached to the bus, and how fast a lane spools to disk and reads back.
#include <benchmark/benchmark.h>
#include <spdlog/spdlog.h>

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <thread>
#include <vector>

#include "core/bus/reading_bus.hpp"
#include "core/bus/spool.hpp"

namespace kamgw::bus {
namespace {

using namespace std::chrono_literals;

ReadingBatch sample_batch(std::uint64_t seq) {
    ReadingBatch b;
    b.meter.name = "house";
    b.meter.serial = "12345678";
    b.meter.model = "MULTICAL 403";
    const char* keys[] = {"heat_energy", "volume", "t_forward", "t_return", "flow", "power", "hour_counter", "info"};
    for (std::uint16_t i = 0; i < 8; ++i) {
        Reading r;
        r.register_id = static_cast<std::uint16_t>(0x3C + i);
        r.key = keys[i];
        r.name = "A register with a human name";
        r.value.mantissa = seq * 10 + i;
        r.value.exponent = -2;
        b.requested.push_back(r.register_id);
        b.readings.push_back(std::move(r));
    }
    return b;
}

class CountingSink final : public Sink {
public:
    explicit CountingSink(std::atomic<std::uint64_t>& written) : written_(written) {}
    void start(SinkHost&) override {}
    WriteResult write(std::span<const ReadingBatch> batches) override {
        written_.fetch_add(batches.size(), std::memory_order_release);
        return WriteResult::ok();
    }

private:
    std::atomic<std::uint64_t>& written_;
};

class SlowSink final : public Sink {
public:
    void start(SinkHost&) override {}
    WriteResult write(std::span<const ReadingBatch>) override {
        std::this_thread::sleep_for(200ms);
        return WriteResult::ok();
    }
};

config::SinkConfig lane_config(const std::string& name, std::uint32_t batch_size) {
    config::SinkConfig c;
    c.type = name;
    c.name = name;
    c.batch_size = batch_size;
    c.flush_interval = 0ms;
    c.queue_max_batches = 1'000'000;
    c.queue_max_bytes = 4ull << 30;
    return c;
}

// Batches per second from publish() to a sink's write() returning, for a given batch size.
void BM_LaneThroughput(benchmark::State& state) {
    spdlog::set_level(spdlog::level::err);
    const auto batch_size = static_cast<std::uint32_t>(state.range(0));
    std::atomic<std::uint64_t> written{0};
    ReadingBus bus(HostServices{});
    bus.add_lane(std::make_unique<CountingSink>(written), lane_config("noop", batch_size), {});
    bus.start();
    const ReadingBatch batch = sample_batch(1);
    constexpr std::uint64_t per_iteration = 1000;
    std::uint64_t published = 0;
    for (auto _ : state) {
        for (std::uint64_t i = 0; i < per_iteration; ++i) bus.publish(batch);
        published += per_iteration;
        while (written.load(std::memory_order_acquire) < published) std::this_thread::yield();
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(published));
    state.counters["batches_per_s"] = benchmark::Counter(static_cast<double>(published), benchmark::Counter::kIsRate);
    bus.stop(10s);
}
BENCHMARK(BM_LaneThroughput)->Arg(1)->Arg(16)->Arg(256)->UseRealTime()->Unit(benchmark::kMillisecond);

// The cost of one publish() to the caller: one fast lane plus one whose sink sleeps 200 ms per
// write. The slow lane keeps the default bounds (10000 batches, 64 MiB), so for most of the run
// its queue is full and every publish also drops its oldest batch.
void BM_PublishWithSlowSink(benchmark::State& state) {
    spdlog::set_level(spdlog::level::err);
    std::atomic<std::uint64_t> written{0};
    ReadingBus bus(HostServices{});
    config::SinkConfig slow;
    slow.type = slow.name = "slow";
    slow.batch_size = 1;
    bus.add_lane(std::make_unique<SlowSink>(), slow, {});
    bus.add_lane(std::make_unique<CountingSink>(written), lane_config("fast", 64), {});
    bus.start();
    const ReadingBatch batch = sample_batch(1);
    std::vector<std::int64_t> latencies;
    latencies.reserve(1 << 20);
    for (auto _ : state) {
        const auto t0 = std::chrono::steady_clock::now();
        bus.publish(batch);
        const auto t1 = std::chrono::steady_clock::now();
        if (latencies.size() < latencies.capacity())
            latencies.push_back(std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count());
    }
    state.SetItemsProcessed(state.iterations());
    if (!latencies.empty()) {
        std::sort(latencies.begin(), latencies.end());
        const auto at = [&](double q) {
            return static_cast<double>(
                latencies[static_cast<std::size_t>(q * static_cast<double>(latencies.size() - 1))]);
        };
        state.counters["p50_ns"] = at(0.50);
        state.counters["p99_ns"] = at(0.99);
        state.counters["p999_ns"] = at(0.999);
        state.counters["max_ns"] = static_cast<double>(latencies.back());
    }
    const auto stats = bus.stats();
    state.counters["slow_dropped"] = static_cast<double>(stats.at(0).dropped);
    bus.stop(0ms);
}
BENCHMARK(BM_PublishWithSlowSink)->UseRealTime()->Unit(benchmark::kNanosecond);

// The copy a lane makes of each batch, measured alone for comparison.
void BM_CopyBatch(benchmark::State& state) {
    const ReadingBatch batch = sample_batch(1);
    for (auto _ : state) {
        ReadingBatch copy = batch;
        benchmark::DoNotOptimize(copy);
    }
}
BENCHMARK(BM_CopyBatch)->Unit(benchmark::kNanosecond);

// Writing evicted batches to the spool: one fdatasync per append call, so the batch count per
// call decides the rate.
void BM_SpoolAppend(benchmark::State& state) {
    const auto dir = std::filesystem::temp_directory_path() / ("kamgw-bench-spool-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    Spool spool(dir, 1ull << 40);
    spool.open();
    const std::vector<ReadingBatch> batches(static_cast<std::size_t>(state.range(0)), sample_batch(1));
    for (auto _ : state) spool.append(batches);
    state.SetItemsProcessed(state.iterations() * state.range(0));
    state.counters["bytes_per_batch"] = static_cast<double>(spool.bytes()) / static_cast<double>(spool.batches());
    std::filesystem::remove_all(dir);
}
BENCHMARK(BM_SpoolAppend)->Arg(1)->Arg(100)->UseRealTime()->Unit(benchmark::kMicrosecond);

// Reading spooled batches back (parse and rebuild), one 1000-batch segment at a time.
void BM_SpoolReplay(benchmark::State& state) {
    const auto dir = std::filesystem::temp_directory_path() / ("kamgw-bench-replay-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    Spool spool(dir, 1ull << 40, 1000);
    spool.open();
    const std::vector<ReadingBatch> batches(1000, sample_batch(1));
    std::int64_t read = 0;
    for (auto _ : state) {
        state.PauseTiming();
        spool.append(batches);
        state.ResumeTiming();
        auto segment = spool.take_oldest();
        read += static_cast<std::int64_t>(segment->batches.size());
        spool.consumed(segment->id);
    }
    state.SetItemsProcessed(read);
    std::filesystem::remove_all(dir);
}
BENCHMARK(BM_SpoolReplay)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace kamgw::bus

BENCHMARK_MAIN();
