// A transport plugin's timer and socket run on the host's io_context (DESIGN §5): the fixture
// transport waits on a steady_timer and connects a TCP socket inside open(), both created on
// the executor the host gave it, while the host alone calls io_context::run() on its own thread.
#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detail/reactor.hpp>
#include <boost/asio/detail/scheduler.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <array>
#include <sstream>
#include <thread>

#include "core/host/plugin_registry.hpp"
#include "kamgw/testing.hpp"

namespace kamgw::host {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

std::string thread_text(std::thread::id id) {
    std::ostringstream s;
    s << id;
    return s.str();
}

TEST(TransportOnHostContext, TimerAndSocketOfAPluginRunOnTheHostsIoContext) {
    PluginRegistry registry;
    ASSERT_TRUE(registry.load_file(std::filesystem::path(KAMGW_FIXTURE_PLUGIN_DIR) / "kamgw-transport-fixture-loop.so"))
        << (registry.problems().empty() ? "" : registry.problems()[0].message);

    asio::io_context io;
    tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    const auto port = acceptor.local_endpoint().port();

    // The echo peer, on the same io_context.
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            tcp::socket peer = co_await acceptor.async_accept(asio::use_awaitable);
            std::array<char, 64> buf{};
            const std::size_t n = co_await peer.async_read_some(asio::buffer(buf), asio::use_awaitable);
            co_await asio::async_write(peer, asio::buffer(buf.data(), n), asio::use_awaitable);
        },
        asio::detached);

    testing::RecordingLogger logger;
    TransportContext context;
    context.executor = io.get_executor();
    context.endpoint = {.url = "fixture-loop://127.0.0.1:" + std::to_string(port),
                        .scheme = "fixture-loop",
                        .host = "127.0.0.1",
                        .port = std::to_string(port)};
    context.log = &logger;
    std::unique_ptr<Transport> transport = registry.make_transport("fixture-loop", context);

    std::string echoed;
    bool continuation_in_host_context = false;
    std::exception_ptr failure;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            co_await transport->open();
            continuation_in_host_context = io.get_executor().running_in_this_thread();
            const std::string hello = "\x10\x3f\x01\x05\x8a\x0d";
            co_await transport->write({reinterpret_cast<const std::uint8_t*>(hello.data()), hello.size()});
            std::array<std::uint8_t, 64> buf{};
            while (echoed.size() < hello.size()) {
                const std::size_t n = co_await transport->read_some(buf);
                echoed.append(reinterpret_cast<const char*>(buf.data()), n);
            }
            transport->close();
        },
        [&](std::exception_ptr e) { failure = e; });

    // The host thread: the only thread that ever runs the io_context.
    std::size_t handlers = 0;
    std::thread::id host_thread;
    std::thread runner([&] {
        host_thread = std::this_thread::get_id();
        handlers = io.run_for(std::chrono::seconds(30));
    });
    runner.join();

    if (failure) {
        try {
            std::rethrow_exception(failure);
        } catch (const std::exception& e) {
            FAIL() << "transport failed: " << e.what();
        }
    }
    EXPECT_TRUE(io.stopped()) << "work left over: the plugin's operations were not driven by the host's run()";
    EXPECT_EQ(echoed, "\x10\x3f\x01\x05\x8a\x0d");
    EXPECT_TRUE(continuation_in_host_context);
    // Timer wait, connect, accept, reads and writes all completed as handlers of this run().
    EXPECT_GE(handlers, 6u);
    // The plugin's handlers ran on the host's thread, and the services it found in the context
    // are the host's own: one scheduler, one reactor for the whole process.
    std::ostringstream expected;
    expected << "thread=" << thread_text(host_thread)
             << " scheduler=" << static_cast<const void*>(&asio::use_service<asio::detail::scheduler>(io))
             << " reactor=" << static_cast<const void*>(&asio::use_service<asio::detail::reactor>(io));
    EXPECT_THAT(logger.lines(),
                ::testing::ElementsAre("info: timer " + expected.str(), "info: connect " + expected.str()));
    EXPECT_NE(host_thread, std::this_thread::get_id());
    transport.reset();  // plugin objects go before the registry
}

}  // namespace
}  // namespace kamgw::host
