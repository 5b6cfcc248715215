#include "tests/integration/faults/fault_proxy.hpp"

#include <utility>  // before Asio: Boost 1.74's awaitable.hpp needs std::exchange

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <array>
#include <atomic>
#include <chrono>
#include <random>
#include <thread>
#include <vector>

namespace kamgw::test::faults {

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace std::chrono_literals;

std::string fault_name(FaultMode mode) {
    switch (mode) {
        case FaultMode::pass:
            return "pass";
        case FaultMode::silent:
            return "silent";
        case FaultMode::garbage:
            return "garbage";
        case FaultMode::trickle:
            return "trickle";
        case FaultMode::black_hole:
            return "black-hole";
        case FaultMode::rst:
            return "rst";
        case FaultMode::accept_close:
            return "accept-and-close";
    }
    return "?";
}

namespace {

constexpr auto trickle_gap = 900ms;

// One client connection and its upstream; used on the proxy's thread only.
struct Link {
    explicit Link(tcp::socket client) : down(std::move(client)), up(down.get_executor()) {}
    tcp::socket down;
    tcp::socket up;
    FaultMode mode = FaultMode::pass;
    bool closed = false;

    void close(bool reset) {
        if (closed) return;
        closed = true;
        boost::system::error_code ignored;
        if (reset) down.set_option(asio::socket_base::linger(true, 0), ignored);
        down.close(ignored);
        up.close(ignored);
    }
};

// A timer of its own for every wait: one shared by the pumps would cut each other's waits short.
asio::awaitable<void> pause(std::chrono::milliseconds d) {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    timer.expires_after(d);
    boost::system::error_code ec;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
}

}  // namespace

struct FaultProxy::Impl : std::enable_shared_from_this<FaultProxy::Impl> {
    explicit Impl(std::uint16_t upstream)
        : acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)), upstream_port(upstream) {}

    asio::io_context io;
    tcp::acceptor acceptor;
    std::uint16_t upstream_port;
    FaultMode mode = FaultMode::pass;  // on the proxy thread
    std::vector<std::weak_ptr<Link>> links;
    std::atomic<std::size_t> accepted{0};
    std::mt19937 rng{7};
    std::thread thread;

    asio::awaitable<void> accept_loop() {
        for (;;) {
            boost::system::error_code ec;
            tcp::socket client = co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
            if (ec) co_return;
            ++accepted;
            auto link = std::make_shared<Link>(std::move(client));
            if (mode == FaultMode::rst || mode == FaultMode::accept_close) {
                link->close(mode == FaultMode::rst);
                continue;
            }
            link->mode = mode;
            // The meter serves one client at a time: an older connection gives up its upstream.
            for (auto& weak : links)
                if (auto old = weak.lock()) {
                    boost::system::error_code ignored;
                    old->up.close(ignored);
                }
            std::erase_if(links, [](const auto& w) { return w.expired(); });
            links.push_back(link);
            asio::co_spawn(io, serve(link), asio::detached);
        }
    }

    asio::awaitable<void> serve(std::shared_ptr<Link> link) {
        boost::system::error_code ec;
        co_await link->up.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), upstream_port),
                                        asio::redirect_error(asio::use_awaitable, ec));
        if (ec) {
            link->close(false);
            co_return;
        }
        asio::co_spawn(io, client_to_meter(link), asio::detached);
        asio::co_spawn(io, meter_to_client(link), asio::detached);
        asio::co_spawn(io, garbage(link), asio::detached);
    }

    asio::awaitable<void> client_to_meter(std::shared_ptr<Link> link) {
        std::array<std::uint8_t, 512> buffer{};
        while (!link->closed) {
            if (link->mode == FaultMode::black_hole) {
                co_await pause(50ms);  // nothing is read: the client's bytes pile up
                continue;
            }
            boost::system::error_code ec;
            const std::size_t n = co_await link->down.async_read_some(asio::buffer(buffer),
                                                                      asio::redirect_error(asio::use_awaitable, ec));
            if (ec) break;
            if (link->mode != FaultMode::pass && link->mode != FaultMode::trickle) continue;  // swallowed
            co_await asio::async_write(link->up, asio::buffer(buffer.data(), n),
                                       asio::redirect_error(asio::use_awaitable, ec));
            if (ec) break;
        }
        link->close(false);
    }

    asio::awaitable<void> meter_to_client(std::shared_ptr<Link> link) {
        std::array<std::uint8_t, 512> buffer{};
        while (!link->closed) {
            boost::system::error_code ec;
            const std::size_t n =
                co_await link->up.async_read_some(asio::buffer(buffer), asio::redirect_error(asio::use_awaitable, ec));
            if (ec) break;
            if (link->mode == FaultMode::pass) {
                co_await asio::async_write(link->down, asio::buffer(buffer.data(), n),
                                           asio::redirect_error(asio::use_awaitable, ec));
                if (ec) break;
            } else if (link->mode == FaultMode::trickle) {
                for (std::size_t i = 0; i < n && !link->closed; ++i) {
                    co_await asio::async_write(link->down, asio::buffer(&buffer[i], 1),
                                               asio::redirect_error(asio::use_awaitable, ec));
                    if (ec) break;
                    co_await pause(trickle_gap);
                }
                if (ec) break;
            }
        }
        link->close(false);
    }

    asio::awaitable<void> garbage(std::shared_ptr<Link> link) {
        std::array<std::uint8_t, 24> noise{};
        while (!link->closed) {
            co_await pause(100ms);
            if (link->mode != FaultMode::garbage || link->closed) continue;
            for (auto& b : noise) b = static_cast<std::uint8_t>(rng());
            boost::system::error_code ec;
            co_await asio::async_write(link->down, asio::buffer(noise), asio::redirect_error(asio::use_awaitable, ec));
            if (ec) break;
        }
    }

    void apply(FaultMode next) {
        mode = next;
        for (auto& weak : links) {
            auto link = weak.lock();
            if (!link || link->closed) continue;
            if (next == FaultMode::rst || next == FaultMode::accept_close)
                link->close(next == FaultMode::rst);
            else if (next != FaultMode::pass)
                link->mode = next;
        }
    }
};

FaultProxy::FaultProxy(std::uint16_t upstream_port) : impl_(std::make_shared<Impl>(upstream_port)) {
    asio::co_spawn(impl_->io, impl_->accept_loop(), asio::detached);
    impl_->thread = std::thread([impl = impl_] { impl->io.run(); });
}

FaultProxy::~FaultProxy() {
    // Pending coroutines, their links and sockets go with the io_context.
    impl_->io.stop();
    if (impl_->thread.joinable()) impl_->thread.join();
}

std::uint16_t FaultProxy::port() const { return impl_->acceptor.local_endpoint().port(); }

void FaultProxy::set_mode(FaultMode mode) {
    asio::post(impl_->io, [impl = impl_, mode] { impl->apply(mode); });
}

std::size_t FaultProxy::accepted() const { return impl_->accepted; }

}  // namespace kamgw::test::faults
