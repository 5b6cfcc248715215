#include "core/meter/deadline_io.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <memory>
#include <system_error>

namespace kamgw::meter {
namespace {

// The timer's handler may run after the operation finished (its completion was already
// queued), so it reaches the transport only through this shared state, which the guard
// disarms when the operation is over.
class DeadlineGuard {
public:
    DeadlineGuard(const boost::asio::any_io_executor& ex, Transport& transport, SteadyTime deadline)
        : state_(std::make_shared<State>()), timer_(ex) {
        state_->transport = &transport;
        timer_.expires_at(deadline);
        timer_.async_wait([state = state_](const boost::system::error_code& ec) {
            if (ec || !state->transport) return;
            state->fired = true;
            state->transport->cancel();
        });
    }
    ~DeadlineGuard() {
        state_->transport = nullptr;
        timer_.cancel();
    }
    DeadlineGuard(const DeadlineGuard&) = delete;
    DeadlineGuard& operator=(const DeadlineGuard&) = delete;
    [[nodiscard]] bool fired() const { return state_->fired; }

private:
    struct State {
        Transport* transport = nullptr;
        bool fired = false;
    };
    std::shared_ptr<State> state_;
    boost::asio::steady_timer timer_;
};

}  // namespace

boost::asio::awaitable<std::optional<std::size_t>> read_some_until(Transport& transport, std::span<std::uint8_t> buffer,
                                                                   SteadyTime deadline) {
    if (std::chrono::steady_clock::now() >= deadline) co_return std::nullopt;
    auto ex = co_await boost::asio::this_coro::executor;
    DeadlineGuard guard(ex, transport, deadline);
    try {
        const std::size_t n = co_await transport.read_some(buffer);
        co_return n;
    } catch (const std::system_error&) {
        if (guard.fired()) co_return std::nullopt;
        throw;
    } catch (const boost::system::system_error& e) {
        if (guard.fired()) co_return std::nullopt;
        throw std::system_error(e.code(), e.what());
    }
}

boost::asio::awaitable<bool> write_until(Transport& transport, std::span<const std::uint8_t> bytes,
                                         SteadyTime deadline) {
    auto ex = co_await boost::asio::this_coro::executor;
    DeadlineGuard guard(ex, transport, deadline);
    try {
        co_await transport.write(bytes);
        co_return true;
    } catch (const std::system_error&) {
        if (guard.fired()) co_return false;
        throw;
    } catch (const boost::system::system_error& e) {
        if (guard.fired()) co_return false;
        throw std::system_error(e.code(), e.what());
    }
}

boost::asio::awaitable<void> sleep_for(std::chrono::steady_clock::duration duration) {
    boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
    timer.expires_after(duration);
    boost::system::error_code ec;
    co_await timer.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
}

}  // namespace kamgw::meter
