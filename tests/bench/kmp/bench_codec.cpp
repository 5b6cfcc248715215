// KMP codec throughput: how many meter responses per second the receive path decodes and how
// many frames per second the encoder builds. The response is the default poll of a MULTICAL
// 403 (7 registers, NOB 2 and 4 as that meter sends them), built by the encoder from
// plausible values rather than captured.
#include <benchmark/benchmark.h>

#include <array>
#include <string>

#include "core/kmp/commands.hpp"
#include "core/kmp/crc.hpp"
#include "core/kmp/decode_text.hpp"
#include "core/kmp/frame.hpp"
#include "core/kmp/register_catalogue.hpp"

namespace {

using namespace kamgw;
using namespace kamgw::kmp;

std::array<RegisterValue, 7> default_poll_values() {
    return {{
        {60, 8, 4, 0, Decimal{191757, -2, false}},      // heat_energy 1917.57 GJ
        {266, 1, 4, 0, Decimal{532658333, 0, false}},   // heat_energy_hires in Wh
        {68, 40, 4, 0, Decimal{634412, -2, false}},     // volume 6344.12 m³
        {99, 51, 2, 0, Decimal{0, 0, false}},           // info
        {113, 51, 2, 0, Decimal{17, 0, false}},         // info_counter
        {1001, 51, 4, 0, Decimal{84968362, 0, false}},  // serial
        {1004, 46, 4, 0, Decimal{52117, 0, false}},     // hour_counter
    }};
}

std::vector<std::uint8_t> default_poll_response() {
    return encode_frame(make_get_register_response(default_poll_values()));
}

void BM_DecodeDefaultPollResponse(benchmark::State& state) {
    const auto wire = default_poll_response();
    FrameReceiver rx;
    std::size_t values = 0;
    for (auto _ : state) {
        FrameReceiver::Event event;
        rx.feed(wire, event);
        const auto r = parse_get_register(rx.result().frame);
        values += r.values.size();
        benchmark::DoNotOptimize(r);
    }
    if (values != 7 * static_cast<std::size_t>(state.iterations())) state.SkipWithError("decode lost values");
    state.SetItemsProcessed(state.iterations());
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * wire.size()));
    state.counters["frame_bytes"] = static_cast<double>(wire.size());
}
BENCHMARK(BM_DecodeDefaultPollResponse);

void BM_DecodeWithEchoByteByByte(benchmark::State& state) {
    // What a session sees from an echoing IR head: the request first, then the response,
    // one byte per read as a 1200 Bd serial port delivers it.
    auto wire = encode_frame(make_get_register(default_registers()));
    const auto response = default_poll_response();
    wire.insert(wire.end(), response.begin(), response.end());
    FrameReceiver rx;
    for (auto _ : state) {
        FrameReceiver::Event event = FrameReceiver::Event::none;
        for (std::size_t i = 0; i < wire.size(); ++i) rx.feed(std::span(&wire[i], 1), event);
        benchmark::DoNotOptimize(parse_get_register(rx.result().frame));
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DecodeWithEchoByteByByte);

void BM_EncodeDefaultPollRequest(benchmark::State& state) {
    for (auto _ : state) benchmark::DoNotOptimize(encode_frame(make_get_register(default_registers())));
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EncodeDefaultPollRequest);

void BM_EncodeDefaultPollResponse(benchmark::State& state) {
    const auto values = default_poll_values();
    for (auto _ : state) benchmark::DoNotOptimize(encode_frame(make_get_register_response(values)));
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EncodeDefaultPollResponse);

void BM_Crc16(benchmark::State& state) {
    std::vector<std::uint8_t> data(static_cast<std::size_t>(state.range(0)));
    for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::uint8_t>(i * 31);
    for (auto _ : state) benchmark::DoNotOptimize(crc16_xmodem(data));
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * data.size()));
}
BENCHMARK(BM_Crc16)->Arg(64)->Arg(4096);

void BM_DecodeTextToJson(benchmark::State& state) {
    // `kamgw decode` on a request/response pair as hex lines.
    const std::string text =
        to_hex(encode_frame(make_get_register(default_registers()))) + "\n" + to_hex(default_poll_response()) + "\n";
    for (auto _ : state) benchmark::DoNotOptimize(decode_text(text));
    state.SetItemsProcessed(2 * state.iterations());
}
BENCHMARK(BM_DecodeTextToJson);

}  // namespace

BENCHMARK_MAIN();
