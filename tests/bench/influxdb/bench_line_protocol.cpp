// Line protocol formatting throughput: points/s and bytes/s for a lane-sized write of
// 700 polls of a MULTICAL 403's seven default registers.
#include <benchmark/benchmark.h>

#include "plugins/sink-influxdb/line_protocol.hpp"
#include "plugins/sink-influxdb/tests/test_batches.hpp"

namespace {

using namespace kamgw;
using namespace kamgw::influxdb;

std::vector<ReadingBatch> polls(int count) {
    std::vector<ReadingBatch> out;
    out.reserve(static_cast<std::size_t>(count));
    for (int i = 0; i < count; ++i)
        out.push_back(test::mc403_poll("meter " + std::to_string(i % 100), std::to_string(10000000 + i % 100),
                                       test::at_seconds(1700000000 + i * 36), i));
    return out;
}

void format(benchmark::State& state, Layout layout, Precision precision) {
    const auto batches = polls(700);
    const FormatOptions options{.precision = precision, .layout = layout};
    std::size_t points = 0, bytes = 0;
    for (auto _ : state) {
        LinePayload p = format_lines(batches, options);
        points += p.lines();
        bytes += p.text.size();
        benchmark::DoNotOptimize(p.text.data());
    }
    state.counters["points/s"] = benchmark::Counter(static_cast<double>(points), benchmark::Counter::kIsRate);
    state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}

void BM_FormatNarrowSeconds(benchmark::State& s) { format(s, Layout::narrow, Precision::s); }
void BM_FormatNarrowNanoseconds(benchmark::State& s) { format(s, Layout::narrow, Precision::ns); }
void BM_FormatWide(benchmark::State& s) { format(s, Layout::wide, Precision::s); }

// Cutting one refused line out of a 4900-line request (the 400 path).
void BM_WithoutOneLine(benchmark::State& state) {
    const auto batches = polls(700);
    const LinePayload p = format_lines(batches, {});
    const std::size_t drop[] = {p.lines() / 2};
    for (auto _ : state) {
        LinePayload rest = without_lines(p, drop);
        benchmark::DoNotOptimize(rest.text.data());
    }
}

BENCHMARK(BM_FormatNarrowSeconds);
BENCHMARK(BM_FormatNarrowNanoseconds);
BENCHMARK(BM_FormatWide);
BENCHMARK(BM_WithoutOneLine);

}  // namespace

BENCHMARK_MAIN();
