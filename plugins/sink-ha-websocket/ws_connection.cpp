// The only translation unit of the sink that includes Boost.Beast (it is heavy to compile).
#include "plugins/sink-ha-websocket/ws_connection.hpp"

#include <utility>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <stdexcept>
#include <system_error>

namespace kamgw::ha_websocket {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using asio::use_awaitable;

using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

std::shared_ptr<asio::ssl::context> make_tls_context(const Options& o) {
    auto ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
    if (o.tls_verify) {
        ctx->set_verify_mode(asio::ssl::verify_peer);
        if (!o.ca_file.empty())
            ctx->load_verify_file(o.ca_file);
        else
            ctx->set_default_verify_paths();
    } else {
        ctx->set_verify_mode(asio::ssl::verify_none);
    }
    return ctx;
}

std::string host_header(const Options& o) {
    const bool v6 = o.base.host.find(':') != std::string::npos;
    const std::string host = v6 ? "[" + o.base.host + "]" : o.base.host;
    return host + ":" + std::to_string(o.base.port);
}

// TCP connect with a deadline, then (for TLS) SNI, host name verification and the handshake.
template <typename Stream>
asio::awaitable<void> open_stream(Stream& stream, const Options& o, std::chrono::milliseconds timeout) {
    tcp::resolver resolver(co_await asio::this_coro::executor);
    const auto endpoints = co_await resolver.async_resolve(o.base.host, std::to_string(o.base.port), use_awaitable);
    auto& lowest = beast::get_lowest_layer(stream);
    lowest.expires_after(timeout);
    co_await lowest.async_connect(endpoints, use_awaitable);
    if constexpr (std::is_same_v<Stream, TlsStream>) {
        if (!SSL_set_tlsext_host_name(stream.native_handle(), o.base.host.c_str()))
            throw std::runtime_error("cannot set the TLS server name " + o.base.host);
        if (o.tls_verify) stream.set_verify_callback(asio::ssl::host_name_verification(o.base.host));
        co_await stream.async_handshake(asio::ssl::stream_base::client, use_awaitable);
    }
    lowest.expires_never();
}

template <typename Stream>
class WsConnectionImpl final : public WsConnection {
public:
    template <typename... Args>
    WsConnectionImpl(const Options& o, Args&&... args) : options_(o), ws_(std::forward<Args>(args)...) {}

    asio::awaitable<void> connect(std::chrono::milliseconds timeout) override {
        co_await open_stream(ws_.next_layer(), options_, timeout);
        websocket::stream_base::timeout t{};
        t.handshake_timeout = timeout;
        t.idle_timeout = websocket::stream_base::none();  // the session pings at application level
        t.keep_alive_pings = false;
        ws_.set_option(t);
        // Home Assistant's answers (a long statistics_during_period) can be large.
        ws_.read_message_max(64 * 1024 * 1024);
        co_await ws_.async_handshake(host_header(options_), options_.base.path_prefix + "/api/websocket",
                                     use_awaitable);
        ws_.text(true);
    }

    asio::awaitable<std::string> read() override {
        beast::flat_buffer buffer;
        co_await ws_.async_read(buffer, use_awaitable);
        co_return beast::buffers_to_string(buffer.data());
    }

    asio::awaitable<void> write(std::string text) override {
        co_await ws_.async_write(asio::buffer(text), use_awaitable);
    }

    void close() override {
        beast::error_code ec;
        beast::get_lowest_layer(ws_).socket().shutdown(tcp::socket::shutdown_both, ec);
        beast::get_lowest_layer(ws_).close();
    }

private:
    const Options& options_;
    websocket::stream<Stream> ws_;
};

template <typename Stream>
class RestClientImpl final : public RestClient {
public:
    RestClientImpl(asio::io_context& io, const Options& o, std::shared_ptr<asio::ssl::context> tls)
        : io_(io), options_(o), tls_(std::move(tls)) {}

    asio::awaitable<HttpAnswer> post(std::string target, std::string body, std::string token,
                                     std::chrono::milliseconds timeout) override {
        http::request<http::string_body> req{http::verb::post, options_.base.path_prefix + target, 11};
        req.set(http::field::host, host_header(options_));
        req.set(http::field::authorization, "Bearer " + token);
        req.set(http::field::content_type, "application/json");
        req.set(http::field::user_agent, "kamgw");
        req.keep_alive(true);
        req.body() = std::move(body);
        req.prepare_payload();
        for (int attempt = 0;; ++attempt) {
            const bool reused = static_cast<bool>(stream_);
            try {
                if (!stream_) {
                    make_stream();
                    co_await open_stream(*stream_, options_, timeout);
                }
                beast::get_lowest_layer(*stream_).expires_after(timeout);
                co_await http::async_write(*stream_, req, use_awaitable);
                beast::flat_buffer buffer;
                http::response<http::string_body> res;
                co_await http::async_read(*stream_, buffer, res, use_awaitable);
                beast::get_lowest_layer(*stream_).expires_never();
                HttpAnswer answer{static_cast<int>(res.result_int()), std::move(res.body())};
                if (!res.keep_alive()) close();
                co_return answer;
            } catch (const std::exception&) {
                close();
                // A keep-alive connection the server has closed meanwhile fails on first use.
                if (!reused || attempt > 0) throw;
            }
        }
    }

    void close() override {
        if (!stream_) return;
        beast::error_code ec;
        beast::get_lowest_layer(*stream_).socket().shutdown(tcp::socket::shutdown_both, ec);
        beast::get_lowest_layer(*stream_).close();
        stream_.reset();
    }

private:
    void make_stream() {
        if constexpr (std::is_same_v<Stream, TlsStream>)
            stream_ = std::make_unique<Stream>(io_, *tls_);
        else
            stream_ = std::make_unique<Stream>(io_);
    }

    asio::io_context& io_;
    const Options& options_;
    std::shared_ptr<asio::ssl::context> tls_;
    std::unique_ptr<Stream> stream_;
};

template <typename Stream>
class TlsOwningWs final : public WsConnection {
public:
    TlsOwningWs(asio::io_context& io, const Options& o) : tls_(make_tls_context(o)), inner_(o, io, *tls_) {}
    asio::awaitable<void> connect(std::chrono::milliseconds timeout) override { return inner_.connect(timeout); }
    asio::awaitable<std::string> read() override { return inner_.read(); }
    asio::awaitable<void> write(std::string text) override { return inner_.write(std::move(text)); }
    void close() override { inner_.close(); }

private:
    std::shared_ptr<asio::ssl::context> tls_;  // outlives the stream that uses it
    WsConnectionImpl<Stream> inner_;
};

}  // namespace

std::unique_ptr<WsConnection> make_ws_connection(asio::io_context& io, const Options& options) {
    if (options.base.tls) return std::make_unique<TlsOwningWs<TlsStream>>(io, options);
    return std::make_unique<WsConnectionImpl<PlainStream>>(options, io);
}

std::unique_ptr<RestClient> make_rest_client(asio::io_context& io, const Options& options) {
    if (options.base.tls) return std::make_unique<RestClientImpl<TlsStream>>(io, options, make_tls_context(options));
    return std::make_unique<RestClientImpl<PlainStream>>(io, options, nullptr);
}

}  // namespace kamgw::ha_websocket
