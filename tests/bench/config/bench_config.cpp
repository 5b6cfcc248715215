// Loading cost of a configuration with many meters and sinks, and of the pieces on the way:
// duration parsing and URL parsing. A reload (SIGHUP) runs the whole loader again.
#include <benchmark/benchmark.h>

#include <array>
#include <string>

#include "core/config/config_loader.hpp"
#include "core/config/duration.hpp"
#include "core/config/meter_url.hpp"
#include "core/config/static_plugin_schemas.hpp"

namespace {

using namespace kamgw;

constexpr std::array<ConfigKey, 4> mqtt_keys = {{
    {"url", ConfigType::string, "", true, "broker"},
    {"password", ConfigType::secret, "", false, "password"},
    {"qos", ConfigType::integer, "1", false, "QoS", "", 0, 2},
    {"keepalive", ConfigType::duration, "60s", false, "keepalive"},
}};
constexpr std::array<std::string_view, 2> tcp_schemes = {"tcp", "socket"};
constexpr std::array<ConfigKey, 1> tcp_keys = {{{"connect_timeout", ConfigType::duration, "5s", false, "timeout"}}};

const PluginDescriptor mqtt{.name = "mqtt-ha", .kind = PluginKind::sink, .config = mqtt_keys};
const PluginDescriptor tcp{
    .name = "tcp", .kind = PluginKind::transport, .config = tcp_keys, .url_schemes = tcp_schemes};

std::string config_with(int meters) {
    std::string text = "[gateway]\nid = \"bench\"\nlog_level = \"info\"\n\n";
    for (int i = 0; i < meters; ++i) {
        text += "[[meter]]\nname = \"meter-" + std::to_string(i) + "\"\nurl = \"tcp://10.0." + std::to_string(i / 250) +
                "." + std::to_string(i % 250 + 1) +
                ":2001?connect_timeout=3s\"\ninterval = \"1h30min\"\n"
                "registers = [\"heat_energy\", \"volume\", \"flow\", \"t_forward\", \"t_return\", 99]\n"
                "register_intervals = { flow = \"10min\" }\n\n";
    }
    text += "[[sink]]\ntype = \"mqtt-ha\"\nurl = \"mqtt://localhost:1883\"\nqos = 2\n";
    return text;
}

void BM_LoadConfig(benchmark::State& state) {
    const config::StaticPluginSchemas plugins{&mqtt, &tcp};
    const std::string text = config_with(static_cast<int>(state.range(0)));
    config::LoadOptions options;
    options.default_gateway_id = "bench";
    options.credentials_dir = std::filesystem::path{};
    for (auto _ : state) {
        auto cfg = config::load_config_text(text, "bench.toml", plugins, options);
        benchmark::DoNotOptimize(cfg);
    }
    state.SetItemsProcessed(state.iterations() * state.range(0));
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(text.size()));
    state.counters["meters"] = static_cast<double>(state.range(0));
}
BENCHMARK(BM_LoadConfig)->Arg(1)->Arg(10)->Arg(100)->Arg(1000)->Unit(benchmark::kMicrosecond);

void BM_ParseDuration(benchmark::State& state) {
    for (auto _ : state) benchmark::DoNotOptimize(config::parse_duration("1h30min15s"));
}
BENCHMARK(BM_ParseDuration);

void BM_ParseEndpoint(benchmark::State& state) {
    for (auto _ : state)
        benchmark::DoNotOptimize(config::parse_endpoint("rfc2217://192.168.1.101:20019?connect_timeout=3s&x=1"));
}
BENCHMARK(BM_ParseEndpoint);

}  // namespace

BENCHMARK_MAIN();
