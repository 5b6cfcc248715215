// transport-tcp: a meter behind a raw TCP serial server (ser2net "tcp" accepter, ESP
// bridges, Moxa/USR boxes in raw mode). URLs: socket://HOST:PORT (the reference
// integration's spelling) and tcp://HOST:PORT. The bytes pass unchanged; the line settings
// are the server's business.
#include <utility>  // before Asio: Boost 1.74's awaitable.hpp needs std::exchange

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "kamgw/plugin.hpp"
#include "kamgw/transport.hpp"
#include "plugins/transport-tcp/tcp_link.hpp"
#include "plugins/transport-tcp/tcp_options.hpp"
#include "plugins/transport-tcp/transport_error.hpp"

namespace kamgw::tcp {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using transport::throw_error;

class TcpTransport final : public Transport {
public:
    explicit TcpTransport(const TransportContext& context)
        : target_(transport::host_port_of(context.endpoint)),
          options_(transport::tcp_options_from(context.options)),
          log_(context.log),
          resolver_(context.executor),
          socket_(context.executor) {}

    asio::awaitable<void> open() override {
        close();
        co_await transport::connect_tcp(socket_, resolver_, target_, options_.connect_timeout);
        transport::tune_socket(socket_, options_.keepalive);
        if (log_ && log_->enabled(LogLevel::debug)) log_->debug("connected to " + target_.to_string());
    }

    asio::awaitable<std::size_t> read_some(std::span<std::uint8_t> buffer) override {
        require_open();
        boost::system::error_code ec;
        const std::size_t n = co_await socket_.async_read_some(asio::buffer(buffer.data(), buffer.size()),
                                                               asio::redirect_error(asio::use_awaitable, ec));
        if (ec) fail(ec, true);
        co_return n;
    }

    asio::awaitable<void> write(std::span<const std::uint8_t> bytes) override {
        require_open();
        boost::system::error_code ec;
        co_await asio::async_write(socket_, asio::buffer(bytes.data(), bytes.size()),
                                   asio::redirect_error(asio::use_awaitable, ec));
        if (ec) fail(ec, false);
    }

    void cancel() override {
        resolver_.cancel();
        boost::system::error_code ignored;
        socket_.cancel(ignored);
    }

    void close() override {
        boost::system::error_code ignored;
        socket_.shutdown(tcp::socket::shutdown_both, ignored);
        socket_.close(ignored);
    }

    [[nodiscard]] bool is_open() const override { return socket_.is_open(); }

private:
    void require_open() const {
        if (!socket_.is_open()) {
            throw std::system_error(std::make_error_code(std::errc::not_connected),
                                    target_.to_string() + " is not connected (open() first)");
        }
    }

    [[noreturn]] void fail(const boost::system::error_code& ec, bool reading) {
        if (transport::is_cancel(ec)) throw_error(ec, "cancelled");
        // A broken connection stays broken: close it so is_open() tells the truth.
        close();
        throw_error(ec, transport::describe_link_error(ec, target_.to_string(), reading));
    }

    transport::HostPort target_;
    transport::TcpOptions options_;
    Logger* log_;
    tcp::resolver resolver_;
    tcp::socket socket_;
};

constexpr std::string_view schemes[] = {"socket", "tcp"};

const PluginDescriptor descriptor = {
    .name = "tcp",
    .kind = PluginKind::transport,
    .version = "0.1.0",
    .summary = "raw TCP serial servers (ser2net tcp accepter, network IR heads): socket://HOST:PORT, tcp://HOST:PORT",
    .config = transport::tcp_option_keys,
    .url_schemes = schemes,
    .make_transport = [](const TransportContext& context) -> std::unique_ptr<Transport> {
        return std::make_unique<TcpTransport>(context);
    },
};

}  // namespace
}  // namespace kamgw::tcp

KAMGW_PLUGIN(kamgw::tcp::descriptor)
