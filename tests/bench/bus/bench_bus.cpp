// Throughput of one lane to a sink that does nothing, what publish() costs a meter session
// when a slow sink is attached to the bus, and what the disk journal costs per poll and how
// fast a backlog is read back.
#include <benchmark/benchmark.h>
#include <spdlog/spdlog.h>

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include "core/bus/reading_bus.hpp"

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

// The cost of one publish() to the caller (memory journal): one fast lane plus one whose sink
// sleeps 200 ms per write. The slow lane falls behind by almost everything published; the
// journal's memory bound then drops its oldest batches.
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

// Reads the bytes this process has caused to be written to storage (Linux task I/O accounting).
std::uint64_t process_write_bytes() {
    std::ifstream io("/proc/self/io");
    std::string key;
    std::uint64_t value = 0;
    while (io >> key >> value)
        if (key == "write_bytes:") return value;
    return 0;
}

std::filesystem::path bench_dir(const char* what) {
    auto dir = std::filesystem::temp_directory_path() /
               (std::string("kamgw-bench-") + what + "-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    return dir;
}

// One meter poll appended to the disk journal, as a meter session pays for it before the poll
// counts as done: encode, write, and (policy "batch") fdatasync. Also the bytes the storage
// layer saw per reading, file data plus what the file system wrote for it.
void BM_JournalAppend(benchmark::State& state) {
    spdlog::set_level(spdlog::level::err);
    const auto dir = bench_dir("journal");
    JournalSettings settings;
    settings.dir = dir;
    settings.max_bytes = 1ull << 40;
    settings.sync = state.range(0) == 0 ? JournalSync::batch : JournalSync::interval;
    Journal journal(settings, spdlog::default_logger());
    journal.open();
    journal.add_consumer("reader", dir / "cursor");
    const ReadingBatch batch = sample_batch(1);
    const std::uint64_t io_before = process_write_bytes();
    for (auto _ : state) journal.append(batch);
    journal.close();
    const JournalStats stats = journal.stats();
    const double readings = static_cast<double>(state.iterations()) * static_cast<double>(batch.readings.size());
    state.SetItemsProcessed(state.iterations());
    state.counters["file_bytes_per_reading"] = static_cast<double>(stats.bytes_written) / readings;
    state.counters["disk_bytes_per_reading"] = static_cast<double>(process_write_bytes() - io_before) / readings;
    state.counters["syncs"] = static_cast<double>(stats.syncs);
    state.SetLabel(state.range(0) == 0 ? "journal_sync=batch" : "journal_sync=interval");
    std::filesystem::remove_all(dir);
}
BENCHMARK(BM_JournalAppend)->Arg(0)->Arg(1)->UseRealTime()->Unit(benchmark::kMicrosecond);

// A backlog read back from disk by a sink's lane (read, check, parse), batches per second.
void BM_JournalReplay(benchmark::State& state) {
    spdlog::set_level(spdlog::level::err);
    const auto dir = bench_dir("replay");
    JournalSettings settings;
    settings.dir = dir;
    settings.max_bytes = 1ull << 40;
    settings.sync = JournalSync::interval;
    settings.memory_max_bytes = 64 * 1024;  // the backlog is on disk, not in memory
    constexpr std::uint64_t backlog = 20000;
    {
        Journal journal(settings, spdlog::default_logger());
        journal.open();
        journal.add_consumer("reader", dir / "cursor");  // holds the backlog on disk
        const ReadingBatch batch = sample_batch(1);
        for (std::uint64_t i = 0; i < backlog; ++i) journal.append(batch);
    }
    std::int64_t read = 0;
    std::int64_t per_pass = 0;
    for (auto _ : state) {
        state.PauseTiming();
        Journal journal(settings, spdlog::default_logger());
        journal.open();
        state.ResumeTiming();
        std::uint64_t next = 1;
        for (;;) {
            JournalRead r = journal.read(next, 500);
            if (r.entries.empty()) break;
            read += static_cast<std::int64_t>(r.entries.size());
            next = r.entries.back().seq + 1;
        }
    }
    per_pass = state.iterations() == 0 ? 0 : read / static_cast<std::int64_t>(state.iterations());
    state.SetItemsProcessed(read);
    state.counters["backlog"] = static_cast<double>(per_pass);
    state.counters["batches_per_s"] = benchmark::Counter(static_cast<double>(read), benchmark::Counter::kIsRate);
    std::filesystem::remove_all(dir);
}
BENCHMARK(BM_JournalReplay)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace kamgw::bus

BENCHMARK_MAIN();
