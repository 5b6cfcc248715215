// The sim transport: its options, its pacing and cancel semantics, and the plugin loaded
// through the plugin host, running on the host's io_context.
#include <gtest/gtest.h>

#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/host/plugin_registry.hpp"
#include "core/kmp/commands.hpp"
#include "core/kmp/frame.hpp"
#include "core/kmp/register_catalogue.hpp"
#include "core/meter/meter_session.hpp"
#include "plugins/transport-sim/sim_transport.hpp"
#include "tests/support/process.hpp"

namespace kamgw::sim {
namespace {

using namespace std::chrono_literals;
namespace asio = boost::asio;

TransportContext context(asio::io_context& io, std::string url, std::string model,
                         std::map<std::string, std::string> query = {}) {
    TransportContext ctx;
    ctx.executor = io.get_executor();
    ctx.endpoint.url = std::move(url);
    ctx.endpoint.scheme = "sim";
    ctx.endpoint.host = std::move(model);
    ctx.endpoint.query = std::move(query);
    return ctx;
}

template <typename T>
T run(asio::io_context& io, asio::awaitable<T> task) {
    std::optional<T> result;
    std::exception_ptr error;
    asio::co_spawn(io, std::move(task), [&](std::exception_ptr e, T v) {
        error = e;
        if (!e) result = std::move(v);
    });
    io.restart();
    io.run();
    if (error) std::rethrow_exception(error);
    return std::move(*result);
}

TEST(SimOptions, FromTheRawQuery) {
    asio::io_context io;
    const auto o = sim_options_from(context(
        io, "sim://multical603?serial=4242&faults=echo,omit=63&answer_delay=300ms&pace=false&seed=9", "multical603",
        {{"serial", "4242"}, {"faults", "echo,omit=63"}, {"answer_delay", "300ms"}, {"pace", "false"}, {"seed", "9"}}));
    EXPECT_EQ(o.kind, kmp::ModelKind::multical603);
    EXPECT_EQ(o.serial, 4242u);
    EXPECT_TRUE(o.faults.echo);
    EXPECT_EQ(o.faults.omitted, std::vector<std::uint16_t>{63});
    EXPECT_EQ(o.faults.answer_delay, 300ms);
    EXPECT_FALSE(o.pace);
    EXPECT_EQ(o.seed, 9u);
}

TEST(SimOptions, FromTheValidatedTableAndDefaults) {
    asio::io_context io;
    auto ctx = context(io, "sim://flowiq", "flowiq");
    ctx.options.set("serial", std::int64_t{77});
    ctx.options.set("answer_delay", std::chrono::milliseconds(20));
    ctx.options.set("pace", true);
    const auto o = sim_options_from(ctx);
    EXPECT_EQ(o.kind, kmp::ModelKind::flowiq);
    EXPECT_EQ(o.serial, 77u);
    EXPECT_EQ(o.faults.answer_delay, 20ms);
    EXPECT_TRUE(o.pace);
    EXPECT_EQ(o.baud, 1200u);
    // Without a serial the URL picks a stable one.
    const auto a = sim_options_from(context(io, "sim://multical403", "multical403"));
    const auto b = sim_options_from(context(io, "sim://multical403", "multical403"));
    const auto c = sim_options_from(context(io, "sim://multical403#2", "multical403"));
    EXPECT_EQ(a.serial, b.serial);
    EXPECT_NE(a.serial, c.serial);
    EXPECT_GE(a.serial, 10000000u);
}

TEST(SimOptions, RejectsUnknownModelsAndFaults) {
    asio::io_context io;
    EXPECT_THROW(sim_options_from(context(io, "sim://multical66c", "multical66c")), std::invalid_argument);
    EXPECT_THROW(sim_options_from(context(io, "sim://multical403", "multical403", {{"faults", "bogus"}})),
                 std::invalid_argument);
    EXPECT_THROW(sim_options_from(context(io, "sim://multical403", "multical403", {{"pace", "maybe"}})),
                 std::invalid_argument);
}

asio::awaitable<std::vector<std::uint8_t>> exchange(SimTransport& t, std::vector<std::uint8_t> request,
                                                    std::size_t want) {
    co_await t.open();
    co_await t.write(request);
    std::vector<std::uint8_t> got;
    std::array<std::uint8_t, 64> buf{};
    while (got.size() < want) {
        const auto n = co_await t.read_some(buf);
        got.insert(got.end(), buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(n));
    }
    co_return got;
}

TEST(SimTransport, PacedAnswersTakeTheirWireTime) {
    asio::io_context io;
    SimTransportOptions o;
    o.faults.answer_delay = 30ms;
    SimTransport t(io.get_executor(), o);
    const auto request = kmp::encode_frame(kmp::make_get_serial());
    const auto started = std::chrono::steady_clock::now();
    const auto got = run(io, exchange(t, request, 10));
    const auto took = std::chrono::steady_clock::now() - started;
    ASSERT_EQ(got.size(), 10u);
    EXPECT_EQ(got.front(), kmp::start_response);
    // 6 request bytes out, 30 ms, 10 answer bytes in: 16 x 9.17 ms + 30 ms.
    EXPECT_GE(took, kmp::wire_time(16) + 30ms);
    EXPECT_LT(took, 5s);
}

TEST(SimTransport, CancelAbortsAPendingRead) {
    asio::io_context io;
    SimTransportOptions o;
    o.faults.silent = true;
    SimTransport t(io.get_executor(), o);
    asio::steady_timer canceller(io);
    canceller.expires_after(200ms);  // after the 55 ms the request takes on the wire
    canceller.async_wait([&](auto) { t.cancel(); });
    auto task = [&]() -> asio::awaitable<bool> {
        co_await t.open();
        co_await t.write(kmp::encode_frame(kmp::make_get_serial()));
        std::array<std::uint8_t, 16> buf{};
        try {
            co_await t.read_some(buf);
        } catch (const std::system_error& e) {
            co_return e.code() == std::error_code(asio::error::operation_aborted, std::system_category());
        }
        co_return false;
    };
    EXPECT_TRUE(run(io, task()));
    // A cancel with nothing pending does not poison the next read.
    t.cancel();
    SimTransportOptions clean;
    clean.pace = false;
    SimTransport u(io.get_executor(), clean);
    u.cancel();
    EXPECT_EQ(run(io, exchange(u, kmp::encode_frame(kmp::make_get_serial()), 10)).size(), 10u);
}

TEST(SimPlugin, LoadsThroughTheHostAndRunsOnTheHostsIoContext) {
    host::PluginRegistry registry;
    ASSERT_TRUE(registry.load_file(kamgw::test::plugin_dir() / "kamgw-transport-sim.so"))
        << (registry.problems().empty() ? "" : registry.problems().front().message);
    const PluginDescriptor* d = registry.transport_for_scheme("sim");
    ASSERT_NE(d, nullptr);
    EXPECT_EQ(d->name, "sim");
    EXPECT_FALSE(d->config.empty());

    asio::io_context io;
    config::MeterConfig cfg;
    cfg.name = "demo";
    cfg.url = "sim://multical403?serial=31337";
    cfg.endpoint.url = cfg.url;
    cfg.endpoint.scheme = "sim";
    cfg.endpoint.host = "multical403";
    cfg.endpoint.query = {{"serial", "31337"}};
    meter::TransportFactory factory = [&registry](const TransportContext& ctx) {
        return registry.make_transport("sim", ctx);
    };
    std::vector<RegisterInfo> regs;
    for (auto id : kmp::default_registers()) regs.push_back(*kmp::find_register(id));
    MeterStatus status;
    // Paced at 1200 baud: the plugin's timers must fire on this io_context or the read never ends.
    const auto batch = run(io, meter::read_once(io.get_executor(), cfg, factory, regs, &status));
    EXPECT_EQ(batch.readings.size(), regs.size());
    EXPECT_EQ(batch.meter.serial, "31337");
    EXPECT_EQ(status.health, MeterHealth::ok);
}

}  // namespace
}  // namespace kamgw::sim
