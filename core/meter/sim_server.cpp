#include "core/meter/sim_server.hpp"

#include <fcntl.h>
#include <pty.h>
#include <spdlog/spdlog.h>
#include <termios.h>
#include <unistd.h>

#include <array>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <mutex>
#include <optional>
#include <system_error>

#include "core/base/logging.hpp"
#include "core/kmp/frame.hpp"

namespace kamgw::meter {
namespace {

namespace asio = boost::asio;
using asio::use_awaitable;

unsigned baud_of(speed_t speed) {
    switch (speed) {
        case B300:
            return 300;
        case B600:
            return 600;
        case B1200:
            return 1200;
        case B2400:
            return 2400;
        case B4800:
            return 4800;
        case B9600:
            return 9600;
        case B19200:
            return 19200;
        case B38400:
            return 38400;
        case B57600:
            return 57600;
        case B115200:
            return 115200;
        default:
            return 0;
    }
}

std::string request_summary(std::span<const std::uint8_t> request) {
    const auto parsed = kmp::parse_frame(request);
    if (!parsed) return "unparsable request";
    std::string s = kmp::cid_name(parsed->frame.cid);
    if (parsed->error != kmp::FrameError::none) return s + " (" + kmp::frame_error_name(parsed->error) + ")";
    if (parsed->frame.cid == kmp::cid_get_register) {
        if (const auto ids = kmp::parse_get_register_request(parsed->frame)) {
            s += " [";
            for (std::size_t i = 0; i < ids->size(); ++i) s += (i ? "," : "") + std::to_string((*ids)[i]);
            s += "]";
        }
    }
    return s;
}

}  // namespace

std::string LineSeen::to_string() const {
    return std::to_string(baud) + " " + std::to_string(data_bits) + "N" + std::to_string(stop_bits);
}

struct SimServer::Impl : std::enable_shared_from_this<SimServer::Impl> {
    Impl(asio::any_io_executor executor, SimOptions opts)
        : ex(asio::make_strand(std::move(executor))),
          options(std::move(opts)),
          model(options.kind, options.serial, options.faults, options.seed),
          log(base::make_logger("sim " + std::string(kmp::model_kind_name(options.kind)))) {}

    asio::any_io_executor ex;
    SimOptions options;
    kmp::MeterModel model;  // used on the strand only
    std::shared_ptr<spdlog::logger> log;

    mutable std::mutex mutex;  // guards the copies read from other threads
    kmp::MeterModel::Stats stats;
    LineSeen line;
    std::optional<std::string> line_text;
    std::uint64_t client_count = 0;

    int master_fd = -1;
    int slave_fd = -1;
    std::filesystem::path link;
    std::unique_ptr<asio::posix::stream_descriptor> pty;
    std::unique_ptr<asio::ip::tcp::acceptor> acceptor;
    std::shared_ptr<asio::ip::tcp::socket> client;
    bool stopped = false;

    // The line as the client set it; logged when it changes. False when `strict_line` is on
    // and the line is not 1200 8N2, i.e. a real meter would see garbage.
    bool check_line() {
        if (master_fd < 0) return true;
        termios t{};
        if (tcgetattr(master_fd, &t) != 0) return true;
        LineSeen seen;
        seen.baud = baud_of(cfgetospeed(&t));
        seen.data_bits = (t.c_cflag & CSIZE) == CS8 ? 8 : (t.c_cflag & CSIZE) == CS7 ? 7 : 6;
        seen.stop_bits = (t.c_cflag & CSTOPB) ? 2 : 1;
        const std::string text = seen.to_string();
        const bool right = seen.baud == options.baud && seen.data_bits == 8 && seen.stop_bits == 2;
        {
            std::lock_guard lock(mutex);
            line = seen;
            if (line_text == text) return right || !options.strict_line;
            line_text = text;
        }
        if (right)
            log->info("line settings: {}", text);
        else
            log->warn("line settings: {}; a real meter needs {} 8N2 (parity is not visible on a pty)", text,
                      options.baud);
        return right || !options.strict_line;
    }

    template <typename Stream>
    asio::awaitable<void> send(Stream& stream, std::span<const std::uint8_t> bytes, bool paced) {
        if (bytes.empty()) co_return;
        if (!paced || !options.pace) {
            co_await asio::async_write(stream, asio::buffer(bytes.data(), bytes.size()), use_awaitable);
            co_return;
        }
        // Byte k is complete on the wire at start + (k+1) * byte time; absolute deadlines keep
        // timer overhead from adding up.
        asio::steady_timer timer(ex);
        const auto start = std::chrono::steady_clock::now();
        for (std::size_t k = 0; k < bytes.size(); ++k) {
            timer.expires_at(start + kmp::wire_time(k + 1, options.baud));
            co_await timer.async_wait(use_awaitable);
            co_await asio::async_write(stream, asio::buffer(&bytes[k], 1), use_awaitable);
        }
    }

    template <typename Stream>
    asio::awaitable<void> serve(Stream& stream, bool is_pty) {
        kmp::RequestSplitter splitter;
        std::array<std::uint8_t, 512> buffer{};
        asio::steady_timer delay_timer(ex);
        for (;;) {
            const std::size_t n = co_await stream.async_read_some(asio::buffer(buffer), use_awaitable);
            const bool line_ok = is_pty ? check_line() : true;
            for (const auto& request : splitter.feed(std::span<const std::uint8_t>(buffer.data(), n))) {
                if (!line_ok) {
                    log->info("Request: {} ignored: the line is not {} 8N2", kmp::to_hex(request), options.baud);
                    continue;
                }
                const auto reply = model.respond(request, Clock::now());
                {
                    std::lock_guard lock(mutex);
                    stats = model.stats();
                }
                log->info("Request: {} ({})", kmp::to_hex(request), request_summary(request));
                co_await send(stream, reply.echo, false);  // the head echoes while the request is sent
                if (reply.answer.empty()) {
                    log->info("Answer: none ({})", model.asleep() ? "optical port asleep" : "silent");
                    continue;
                }
                delay_timer.expires_after(reply.delay);
                co_await delay_timer.async_wait(use_awaitable);
                co_await send(stream, reply.answer, true);
                log->info("Answer: {}", kmp::to_hex(reply.answer));
            }
        }
    }

    asio::awaitable<void> serve_tcp_client(std::shared_ptr<asio::ip::tcp::socket> socket) {
        const auto peer = socket->remote_endpoint();
        log->info("client {}:{} connected", peer.address().to_string(), peer.port());
        try {
            co_await serve(*socket, false);
        } catch (const std::exception& e) {
            log->info("client {}:{} left ({})", peer.address().to_string(), peer.port(), e.what());
        }
        boost::system::error_code ignored;
        socket->close(ignored);
        if (client == socket) client.reset();
    }

    asio::awaitable<void> accept_loop() {
        auto self = shared_from_this();
        while (!stopped && acceptor) {
            auto socket = std::make_shared<asio::ip::tcp::socket>(ex);
            boost::system::error_code ec;
            co_await acceptor->async_accept(*socket, asio::redirect_error(use_awaitable, ec));
            if (ec) {
                if (ec == asio::error::operation_aborted || stopped) co_return;
                log->warn("accept failed: {}", ec.message());
                continue;
            }
            if (client) {
                // A meter has one optical eye: a second reader gets a closed connection.
                log->warn("refused a second client; one is connected already");
                socket->close(ec);
                continue;
            }
            {
                std::lock_guard lock(mutex);
                ++client_count;
            }
            client = socket;
            socket->set_option(asio::ip::tcp::no_delay(true), ec);
            asio::co_spawn(ex, serve_tcp_client(socket), asio::detached);
        }
    }

    asio::awaitable<void> pty_loop() {
        auto self = shared_from_this();
        while (!stopped && pty) {
            try {
                co_await serve(*pty, true);
            } catch (const std::exception& e) {
                if (stopped) co_return;
                // We hold the slave open, so EIO between clients cannot happen; still, a
                // read error must not end the meter.
                log->debug("pty read: {}", e.what());
            }
            asio::steady_timer t(ex);
            t.expires_after(std::chrono::milliseconds(100));
            boost::system::error_code ec;
            co_await t.async_wait(asio::redirect_error(use_awaitable, ec));
        }
    }

    void close_all() {
        stopped = true;
        boost::system::error_code ec;
        if (acceptor) acceptor->close(ec);
        if (client) client->close(ec);
        if (pty) pty->close(ec);  // closes master_fd
        master_fd = -1;
        if (slave_fd >= 0) ::close(slave_fd);
        slave_fd = -1;
        if (!link.empty()) {
            std::error_code fs_ec;
            if (std::filesystem::is_symlink(std::filesystem::symlink_status(link, fs_ec)))
                std::filesystem::remove(link, fs_ec);
            link.clear();
        }
    }
};

SimServer::SimServer(boost::asio::any_io_executor executor, SimOptions options)
    : impl_(std::make_shared<Impl>(std::move(executor), std::move(options))) {}

SimServer::~SimServer() { stop(); }

std::string SimServer::serve_pty(const std::filesystem::path& link) {
    int master = -1, slave = -1;
    std::array<char, 256> name{};
    if (openpty(&master, &slave, name.data(), nullptr, nullptr) != 0)
        throw std::system_error(errno, std::generic_category(), "openpty");
    termios t{};
    tcgetattr(slave, &t);
    cfmakeraw(&t);
    tcsetattr(slave, TCSANOW, &t);
    fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK);
    fcntl(master, F_SETFD, FD_CLOEXEC);
    fcntl(slave, F_SETFD, FD_CLOEXEC);

    std::error_code ec;
    if (std::filesystem::is_symlink(std::filesystem::symlink_status(link, ec))) std::filesystem::remove(link, ec);
    std::filesystem::create_symlink(name.data(), link, ec);
    if (ec) {
        ::close(master);
        ::close(slave);
        throw std::system_error(ec, "cannot create the link " + link.string());
    }
    auto impl = impl_;
    impl->master_fd = master;
    impl->slave_fd = slave;  // held open so the master never sees EIO between clients
    impl->link = link;
    impl->pty = std::make_unique<boost::asio::posix::stream_descriptor>(impl->ex, master);
    impl->log->info("{} serial {} on {} -> {} (answers paced at {} baud, 11 bits a byte{}{})",
                    kmp::model_display_name(impl->options.kind), impl->options.serial, link.string(), name.data(),
                    impl->options.baud, impl->options.pace ? "" : ", pacing off",
                    kmp::describe_faults(impl->options.faults).empty()
                        ? std::string()
                        : ", faults " + kmp::describe_faults(impl->options.faults));
    boost::asio::co_spawn(impl->ex, impl->pty_loop(), boost::asio::detached);
    return name.data();
}

std::uint16_t SimServer::listen_tcp(const std::string& host, std::uint16_t port) {
    namespace ip = boost::asio::ip;
    auto impl = impl_;
    boost::system::error_code ec;
    const auto address = ip::make_address(host, ec);
    if (ec) throw std::system_error(ec, "bad listen address '" + host + "'");
    auto acceptor = std::make_unique<ip::tcp::acceptor>(impl->ex);
    const ip::tcp::endpoint endpoint(address, port);
    acceptor->open(endpoint.protocol());
    acceptor->set_option(ip::tcp::acceptor::reuse_address(true));
    acceptor->bind(endpoint, ec);
    if (ec) throw std::system_error(ec, "cannot listen on " + host + ":" + std::to_string(port));
    acceptor->listen();
    const std::uint16_t bound = acceptor->local_endpoint().port();
    impl->acceptor = std::move(acceptor);
    impl->log->info("{} serial {} listening on tcp://{}:{} (answers paced at {} baud, 11 bits a byte{})",
                    kmp::model_display_name(impl->options.kind), impl->options.serial, host, bound, impl->options.baud,
                    impl->options.pace ? "" : ", pacing off");
    boost::asio::co_spawn(impl->ex, impl->accept_loop(), boost::asio::detached);
    return bound;
}

void SimServer::stop() {
    if (impl_) impl_->close_all();
}

kmp::MeterModel::Stats SimServer::stats() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->stats;
}

LineSeen SimServer::line_seen() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->line;
}

std::uint64_t SimServer::clients() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->client_count;
}

}  // namespace kamgw::meter
