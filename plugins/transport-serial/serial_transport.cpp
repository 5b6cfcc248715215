// transport-serial: a meter on a local serial port (a USB IR head, usually under
// /dev/serial/by-id/). Opens the port exclusively, raw, at the meter's line settings
// (1200 8N2 for KMP), checks that the device took them, and turns an unplugged head into an
// error so the session reports the link down and reopens it when the head comes back.
#include <fcntl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <utility>  // before Asio: Boost 1.74's awaitable.hpp needs std::exchange

#include <array>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/serial_port.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <filesystem>

#include "kamgw/plugin.hpp"
#include "kamgw/transport.hpp"
#include "plugins/transport-serial/device_path.hpp"
#include "plugins/transport-serial/port_lock.hpp"
#include "plugins/transport-serial/serial_line.hpp"
#include "plugins/transport-tcp/transport_error.hpp"

namespace kamgw::serial {
namespace {

namespace asio = boost::asio;
using transport::throw_errno;
using transport::throw_error;

constexpr std::array<ConfigKey, 1> option_keys = {{
    {.key = "exclusive",
     .type = ConfigType::boolean,
     .default_value = "true",
     .doc = "refuse to share the port with another program (flock and TIOCEXCL)"},
}};

// Closes a descriptor unless ownership moved on.
class FdGuard {
public:
    explicit FdGuard(int fd) : fd_(fd) {}
    ~FdGuard() {
        if (fd_ >= 0) ::close(fd_);
    }
    FdGuard(const FdGuard&) = delete;
    FdGuard& operator=(const FdGuard&) = delete;
    [[nodiscard]] int get() const { return fd_; }
    int release() { return std::exchange(fd_, -1); }

private:
    int fd_;
};

[[noreturn]] void open_failed(int err, const std::string& path) {
    switch (err) {
        case ENOENT:
            throw_errno(err, path + " does not exist: is the IR head plugged in? (see ls -l /dev/serial/by-id/)");
        case EACCES:
        case EPERM:
            throw_errno(err, "no permission to open " + path +
                                 ": run kamgw as a member of the group owning it (usually dialout)");
        case EBUSY:
            throw_errno(err, in_use_message(path, std::nullopt, {}));
        case ENXIO:
        case ENODEV:
        case EIO:
            throw_errno(err, path + " exists but no device answers behind it (IR head unplugged or broken?)");
        default:
            throw_errno(err, "cannot open " + path);
    }
}

class SerialTransport final : public Transport {
public:
    explicit SerialTransport(const TransportContext& context)
        : path_(device_path(context.endpoint)),
          line_(context.line),
          exclusive_(!context.options.has("exclusive") || context.options.get_bool("exclusive")),
          log_(context.log),
          port_(context.executor) {
        // Reject line settings termios cannot express now, not at the first open.
        (void)make_line_termios(termios{}, line_);
    }

    asio::awaitable<void> open() override {
        close();
        FdGuard fd(::open(path_.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC));
        if (fd.get() < 0) open_failed(errno, path_);
        if (exclusive_) lock_exclusively(fd.get(), path_);

        termios current{};
        if (::tcgetattr(fd.get(), &current) != 0) {
            if (errno == ENOTTY) throw_errno(errno, path_ + " is not a serial port");
            throw_errno(errno, "cannot read the line settings of " + path_);
        }
        const termios wanted = make_line_termios(current, line_);
        if (::tcsetattr(fd.get(), TCSANOW, &wanted) != 0) {
            throw_errno(errno, "cannot set " + path_ + " to " + describe(line_));
        }
        termios actual{};
        if (::tcgetattr(fd.get(), &actual) != 0) throw_errno(errno, "cannot read back the settings of " + path_);
        if (!line_applied(wanted, actual)) {
            throw_errno(EIO, path_ + " did not accept " + describe(line_) + " (it reports " +
                                 std::to_string(baud_of(cfgetospeed(&actual))) + " baud, " +
                                 ((actual.c_cflag & CSTOPB) ? "2" : "1") + " stop bits)");
        }
        // Whatever arrived before we owned the port (noise, a late answer) is not ours.
        ::tcflush(fd.get(), TCIOFLUSH);

        boost::system::error_code ec;
        port_.assign(fd.get(), ec);
        if (ec) throw_error(ec, "cannot register " + path_ + " with the event loop");
        fd.release();
        if (log_ && log_->enabled(LogLevel::debug)) log_->debug("opened " + path_ + " at " + describe(line_));
        co_return;
    }

    asio::awaitable<std::size_t> read_some(std::span<std::uint8_t> buffer) override {
        require_open();
        boost::system::error_code ec;
        const std::size_t n = co_await port_.async_read_some(asio::buffer(buffer.data(), buffer.size()),
                                                             asio::redirect_error(asio::use_awaitable, ec));
        if (ec) fail(ec, "reading from");
        co_return n;
    }

    asio::awaitable<void> write(std::span<const std::uint8_t> bytes) override {
        require_open();
        boost::system::error_code ec;
        co_await asio::async_write(port_, asio::buffer(bytes.data(), bytes.size()),
                                   asio::redirect_error(asio::use_awaitable, ec));
        if (ec) fail(ec, "writing to");
    }

    void cancel() override {
        boost::system::error_code ignored;
        port_.cancel(ignored);
    }

    void close() override {
        boost::system::error_code ignored;
        port_.close(ignored);  // closing the descriptor also drops the flock
    }

    [[nodiscard]] bool is_open() const override { return port_.is_open(); }

private:
    void require_open() const {
        if (!port_.is_open()) {
            throw std::system_error(std::make_error_code(std::errc::not_connected), path_ + " is not open");
        }
    }

    [[noreturn]] void fail(const boost::system::error_code& ec, const char* op) {
        if (transport::is_cancel(ec)) throw_error(ec, "cancelled");
        close();
        std::error_code exists_ec;
        if (!std::filesystem::exists(path_, exists_ec)) {
            throw_error(ec, path_ + " disappeared (USB IR head unplugged?); waiting for it to come back");
        }
        if (ec == asio::error::eof || ec.value() == EIO || ec.value() == ENXIO || ec.value() == ENODEV) {
            throw_error(ec, path_ + " stopped working (IR head unplugged or its USB link reset?)");
        }
        throw_error(ec, std::string(op) + " " + path_ + " failed");
    }

    std::string path_;
    LineSettings line_;
    bool exclusive_;
    Logger* log_;
    asio::serial_port port_;
};

constexpr std::string_view schemes[] = {"serial"};

const PluginDescriptor descriptor = {
    .name = "serial",
    .kind = PluginKind::transport,
    .version = "0.1.0",
    .summary = "local serial ports and USB IR heads: /dev/serial/by-id/..., /dev/ttyUSB0, serial:///dev/ttyUSB0",
    .config = option_keys,
    .url_schemes = schemes,
    .make_transport = [](const TransportContext& context) -> std::unique_ptr<Transport> {
        return std::make_unique<SerialTransport>(context);
    },
};

}  // namespace
}  // namespace kamgw::serial

KAMGW_PLUGIN(kamgw::serial::descriptor)
