// How long a full read of the default registers takes over the simulated optical link
// (1200 baud, 8N2, answers paced byte by byte), compared with the wire-time lower bound:
// every byte sent and received at 11 bits / 1200 s, plus the meter's answer delay per request.
// A ratio near 1 means the session adds no waiting of its own (no sleeps, no polling gaps).
#include <benchmark/benchmark.h>
#include <spdlog/spdlog.h>

#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "core/kmp/meter_model.hpp"
#include "core/kmp/register_catalogue.hpp"
#include "core/meter/meter_session.hpp"
#include "plugins/transport-sim/sim_transport.hpp"

namespace {

using namespace kamgw;
using namespace std::chrono_literals;

config::MeterConfig bench_meter() {
    config::MeterConfig cfg;
    cfg.name = "bench";
    cfg.url = "sim://multical403";
    cfg.endpoint.url = cfg.url;
    cfg.endpoint.scheme = "sim";
    cfg.endpoint.host = "multical403";
    return cfg;
}

std::vector<RegisterInfo> registers_for(std::size_t count) {
    std::vector<RegisterInfo> out;
    if (count == 0) {
        for (auto id : kmp::default_registers()) out.push_back(*kmp::find_register(id));
        return out;
    }
    // The registers the simulated MULTICAL 403 has, in its order.
    kmp::MeterModel model(kmp::ModelKind::multical403, 1, {}, 1);
    for (auto id : model.register_ids()) {
        if (out.size() == count) break;
        if (const auto* info = kmp::find_register(id)) out.push_back(*info);
    }
    return out;
}

// state.range(0): number of registers (0: the catalogue defaults); range(1): answer delay in ms;
// range(2): 1 to pace at 1200 baud.
void BM_FullRead(benchmark::State& state) {
    spdlog::set_level(spdlog::level::warn);
    const auto registers = registers_for(static_cast<std::size_t>(state.range(0)));
    const auto delay = std::chrono::milliseconds(state.range(1));
    const bool pace = state.range(2) != 0;
    double wire_seconds = 0, measured_seconds = 0;
    std::uint64_t requests = 0, bytes = 0;
    for (auto _ : state) {
        boost::asio::io_context io;
        sim::SimTransportOptions options;
        options.pace = pace;
        options.faults.answer_delay = delay;
        meter::TransportFactory factory = [options](const TransportContext& ctx) {
            return std::make_unique<sim::SimTransport>(ctx.executor, options);
        };
        MeterStatus status;
        ReadingBatch batch;
        const auto started = std::chrono::steady_clock::now();
        boost::asio::co_spawn(io, meter::read_once(io.get_executor(), bench_meter(), factory, registers, &status),
                              [&](std::exception_ptr, ReadingBatch b) { batch = std::move(b); });
        io.run();
        const auto took = std::chrono::steady_clock::now() - started;
        if (batch.readings.size() != registers.size()) state.SkipWithError("the read did not return every register");
        const auto line_bytes = status.counters.bytes_sent + status.counters.bytes_received;
        const auto lower_bound =
            kmp::wire_time(line_bytes, 1200) * (pace ? 1 : 0) +
            std::chrono::duration_cast<std::chrono::nanoseconds>(delay) * static_cast<long>(status.counters.requests);
        wire_seconds += std::chrono::duration<double>(lower_bound).count();
        measured_seconds += std::chrono::duration<double>(took).count();
        requests += status.counters.requests;
        bytes += line_bytes;
        state.SetIterationTime(std::chrono::duration<double>(took).count());
    }
    const double n = static_cast<double>(state.iterations());
    state.counters["registers"] = static_cast<double>(registers.size());
    state.counters["requests"] = static_cast<double>(requests) / n;
    state.counters["line_bytes"] = static_cast<double>(bytes) / n;
    state.counters["wire_bound_ms"] = wire_seconds / n * 1000;
    state.counters["measured_ms"] = measured_seconds / n * 1000;
    state.counters["ratio"] = wire_seconds > 0 ? measured_seconds / wire_seconds : 0;
}

// Default registers (7: one request after identification), 50 ms answer delay, paced.
BENCHMARK(BM_FullRead)->Args({0, 50, 1})->UseManualTime()->Unit(benchmark::kMillisecond)->Iterations(5);
// The same with a real meter's worst-case 1.6 s... shortened to 300 ms to keep the run short.
BENCHMARK(BM_FullRead)->Args({0, 300, 1})->UseManualTime()->Unit(benchmark::kMillisecond)->Iterations(3);
// 20 registers: three GetRegister requests (8 + 8 + 4).
BENCHMARK(BM_FullRead)->Args({20, 50, 1})->UseManualTime()->Unit(benchmark::kMillisecond)->Iterations(3);
// Unpaced, no delay: what the session itself costs per read (CPU, allocations, timers).
BENCHMARK(BM_FullRead)->Args({0, 0, 0})->UseManualTime()->Unit(benchmark::kMicrosecond)->MinTime(1.0);

}  // namespace

BENCHMARK_MAIN();
