// transport-rfc2217: a meter behind a telnet COM-PORT-OPTION server (ser2net
// "telnet(rfc2217)", pyserial's rfc2217_server, Moxa NPort in RFC 2217 mode). URL:
// rfc2217://HOST:PORT. Unlike the raw tcp transport, the meter's line settings (1200 8N2)
// travel to the server, so the server-side port needs no fixed configuration.
//
// The byte handling is TelnetCodec (telnet_codec.hpp); this file only moves bytes and waits,
// with a deadline, for the four confirmations that matter. It never sends SET-CONTROL
// (DTR/RTS): ser2net on some ports never confirms those, and IR heads do not need them.
#include <utility>  // before Asio: Boost 1.74's awaitable.hpp needs std::exchange

#include <algorithm>
#include <array>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <chrono>

#include "kamgw/plugin.hpp"
#include "kamgw/transport.hpp"
#include "plugins/transport-rfc2217/telnet_codec.hpp"
#include "plugins/transport-tcp/tcp_link.hpp"
#include "plugins/transport-tcp/tcp_options.hpp"
#include "plugins/transport-tcp/transport_error.hpp"

namespace kamgw::rfc2217 {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using transport::throw_error;

constexpr std::array<ConfigKey, 4> option_keys = {{
    transport::tcp_option_keys[0],
    transport::tcp_option_keys[1],
    {.key = "negotiation_timeout",
     .type = ConfigType::duration,
     .default_value = "2s",
     .doc = "how long open() waits for the server to agree to COM-PORT-OPTION and confirm the line settings"},
    {.key = "ign_set_control",
     .type = ConfigType::boolean,
     .default_value = "true",
     .doc = "accepted for pyserial URLs; kamgw never waits for SET-CONTROL answers anyway"},
}};

std::string line_text(const LineSettings& l) {
    return std::to_string(l.baud) + " " + std::to_string(l.data_bits) + l.parity + std::to_string(l.stop_bits);
}

class Rfc2217Transport final : public Transport {
public:
    explicit Rfc2217Transport(const TransportContext& context)
        : target_(transport::host_port_of(context.endpoint)),
          options_(transport::tcp_options_from(context.options)),
          negotiation_timeout_(context.options.has("negotiation_timeout")
                                   ? context.options.get_duration("negotiation_timeout")
                                   : std::chrono::milliseconds(2000)),
          line_(context.line),
          log_(context.log),
          resolver_(context.executor),
          socket_(context.executor) {}

    asio::awaitable<void> open() override {
        close();
        codec_ = TelnetCodec{};
        co_await transport::connect_tcp(socket_, resolver_, target_, options_.connect_timeout);
        transport::tune_socket(socket_, options_.keepalive);
        co_await send(codec_.start());

        {
            transport::CancelAfter deadline(socket_, negotiation_timeout_);
            while (!codec_.com_port_accepted() && !codec_.com_port_refused()) {
                if (!co_await receive(deadline)) break;
            }
        }
        if (!codec_.com_port_accepted()) {
            warn(target_.to_string() + (codec_.com_port_refused() ? " refused" : " did not agree to") +
                 " COM-PORT-OPTION (RFC 2217); the port keeps the server's own settings instead of " +
                 line_text(line_) + " (is the ser2net accepter telnet(rfc2217)?)");
            co_return;
        }

        co_await send(TelnetCodec::set_line(line_));
        LineConfirmation confirmation(line_);
        transport::CancelAfter deadline(socket_, negotiation_timeout_);
        while (!confirmation.complete()) {
            for (const ComPortEvent& event : events_) {
                if (auto error = confirmation.accept(event)) {
                    close();
                    throw std::system_error(std::make_error_code(std::errc::protocol_error),
                                            target_.to_string() + ": " + *error);
                }
            }
            events_.clear();
            if (confirmation.complete() || !co_await receive(deadline)) break;
        }
        if (!confirmation.complete()) {
            warn(target_.to_string() + " did not confirm the " + confirmation.missing() + " of " + line_text(line_) +
                 " within " + std::to_string(negotiation_timeout_.count()) + " ms; going on");
        } else if (log_ && log_->enabled(LogLevel::debug)) {
            log_->debug("connected to " + target_.to_string() + ", line set to " + line_text(line_));
        }
    }

    asio::awaitable<std::size_t> read_some(std::span<std::uint8_t> buffer) override {
        require_open();
        // A read may bring only negotiation or notifications; keep reading until data comes.
        while (data_.size() == data_offset_) {
            data_.clear();
            data_offset_ = 0;
            boost::system::error_code ec;
            const std::size_t n =
                co_await socket_.async_read_some(asio::buffer(raw_), asio::redirect_error(asio::use_awaitable, ec));
            if (ec) fail(ec, true);
            co_await process(n);
        }
        const std::size_t n = std::min(buffer.size(), data_.size() - data_offset_);
        std::copy_n(data_.begin() + static_cast<std::ptrdiff_t>(data_offset_), n, buffer.begin());
        data_offset_ += n;
        co_return n;
    }

    asio::awaitable<void> write(std::span<const std::uint8_t> bytes) override {
        require_open();
        co_await send(TelnetCodec::escape(bytes));
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
        data_.clear();
        data_offset_ = 0;
        events_.clear();
    }

    [[nodiscard]] bool is_open() const override { return socket_.is_open(); }

private:
    void require_open() const {
        if (!socket_.is_open()) {
            throw std::system_error(std::make_error_code(std::errc::not_connected),
                                    target_.to_string() + " is not connected (open() first)");
        }
    }

    void warn(const std::string& message) {
        if (log_) log_->warn(message);
    }

    [[noreturn]] void fail(const boost::system::error_code& ec, bool reading) {
        if (transport::is_cancel(ec)) throw_error(ec, "cancelled");
        close();
        throw_error(ec, transport::describe_link_error(ec, target_.to_string(), reading));
    }

    asio::awaitable<void> send(const std::vector<std::uint8_t>& bytes) {
        boost::system::error_code ec;
        co_await asio::async_write(socket_, asio::buffer(bytes), asio::redirect_error(asio::use_awaitable, ec));
        if (ec) fail(ec, false);
    }

    // One read during open(); false when the deadline passed.
    asio::awaitable<bool> receive(const transport::CancelAfter& deadline) {
        boost::system::error_code ec;
        const std::size_t n =
            co_await socket_.async_read_some(asio::buffer(raw_), asio::redirect_error(asio::use_awaitable, ec));
        if (ec && transport::is_cancel(ec) && deadline.fired()) co_return false;
        if (ec) fail(ec, true);
        co_await process(n);
        co_return true;
    }

    // Runs `n` raw bytes through the codec: data is queued for read_some(), answers go out,
    // notifications are logged (and kept for open()).
    asio::awaitable<void> process(std::size_t n) {
        if (data_offset_ == data_.size()) {
            data_.clear();
            data_offset_ = 0;
        }
        codec_.feed(std::span<const std::uint8_t>(raw_.data(), n), data_);
        if (auto answers = codec_.take_answers(); !answers.empty()) co_await send(answers);
        for (ComPortEvent& event : codec_.take_events()) {
            if (log_ && log_->enabled(LogLevel::debug)) {
                log_->debug(target_.to_string() + ": " + comport_command_name(event.command) + " " +
                            std::to_string(event.number()));
            }
            events_.push_back(std::move(event));
        }
        // Outside open() nobody consumes notifications; keep only a few.
        if (events_.size() > 32) events_.erase(events_.begin(), events_.end() - 32);
    }

    transport::HostPort target_;
    transport::TcpOptions options_;
    std::chrono::milliseconds negotiation_timeout_;
    LineSettings line_;
    Logger* log_;
    tcp::resolver resolver_;
    tcp::socket socket_;
    TelnetCodec codec_;
    std::array<std::uint8_t, 512> raw_{};
    std::vector<std::uint8_t> data_;  // decoded data not yet handed out
    std::size_t data_offset_ = 0;
    std::vector<ComPortEvent> events_;
};

constexpr std::string_view schemes[] = {"rfc2217"};

const PluginDescriptor descriptor = {
    .name = "rfc2217",
    .kind = PluginKind::transport,
    .version = "0.1.0",
    .summary =
        "telnet COM-PORT-OPTION servers (ser2net telnet(rfc2217)) that take the meter's line settings: "
        "rfc2217://HOST:PORT",
    .config = option_keys,
    .url_schemes = schemes,
    .make_transport = [](const TransportContext& context) -> std::unique_ptr<Transport> {
        return std::make_unique<Rfc2217Transport>(context);
    },
};

}  // namespace
}  // namespace kamgw::rfc2217

KAMGW_PLUGIN(kamgw::rfc2217::descriptor)
