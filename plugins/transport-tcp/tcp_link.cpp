#include "plugins/transport-tcp/tcp_link.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <memory>

#include "plugins/transport-tcp/transport_error.hpp"

namespace kamgw::transport {

namespace asio = boost::asio;
using asio::ip::tcp;

struct CancelAfter::State {
    bool active = true;
    bool fired = false;
    tcp::socket* socket = nullptr;
    tcp::resolver* resolver = nullptr;
};

CancelAfter::CancelAfter(tcp::socket& socket, std::chrono::milliseconds timeout, tcp::resolver* resolver)
    : state_(std::make_shared<State>(State{true, false, &socket, resolver})), timer_(socket.get_executor()) {
    if (timeout.count() <= 0) return;
    timer_.expires_after(timeout);
    timer_.async_wait([state = state_](const boost::system::error_code& ec) {
        if (ec || !state->active) return;
        state->fired = true;
        if (state->resolver) state->resolver->cancel();
        boost::system::error_code ignored;
        state->socket->cancel(ignored);
    });
}

CancelAfter::~CancelAfter() {
    state_->active = false;
    timer_.cancel();
}

bool CancelAfter::fired() const { return state_->fired; }

asio::awaitable<void> connect_tcp(tcp::socket& socket, tcp::resolver& resolver, const HostPort& target,
                                  std::chrono::milliseconds timeout) {
    CancelAfter deadline(socket, timeout, &resolver);
    const std::string where = target.to_string();
    boost::system::error_code ec;
    auto endpoints =
        co_await resolver.async_resolve(target.host, target.port, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
        if (deadline.fired()) {
            throw std::system_error(std::make_error_code(std::errc::timed_out),
                                    "resolving '" + target.host + "' took longer than the connect timeout");
        }
        if (is_cancel(ec)) throw_error(ec, "connecting to " + where + " was cancelled");
        throw_error(ec, "cannot resolve host name '" + target.host + "' (check the meter URL and DNS)");
    }
    // One endpoint at a time rather than asio::async_connect: that reports a socket() failure
    // such as EMFILE as operation_aborted, which would read as "cancelled".
    ec = asio::error::host_not_found;
    for (const auto& entry : endpoints) {
        boost::system::error_code ignored;
        socket.close(ignored);
        socket.open(entry.endpoint().protocol(), ec);
        if (ec) {
            if (ec == boost::system::errc::too_many_files_open ||
                ec == boost::system::errc::too_many_files_open_in_system)
                throw_error(ec, "cannot create a socket for " + where);
            continue;
        }
        co_await socket.async_connect(entry.endpoint(), asio::redirect_error(asio::use_awaitable, ec));
        if (!ec || deadline.fired() || is_cancel(ec)) break;
    }
    if (ec) {
        boost::system::error_code ignored;
        socket.close(ignored);
        if (deadline.fired()) {
            throw std::system_error(std::make_error_code(std::errc::timed_out),
                                    "no TCP connection to " + where + " within " + std::to_string(timeout.count()) +
                                        " ms: check the address, that the serial server is powered and reachable, "
                                        "and firewalls");
        }
        if (is_cancel(ec)) throw_error(ec, "connecting to " + where + " was cancelled");
        if (ec == asio::error::connection_refused) {
            throw_error(ec, "connection to " + where + " refused: is ser2net (or the serial server) running, and is " +
                                target.port + " the port of its accepter?");
        }
        throw_error(ec, "cannot connect to " + where);
    }
}

void tune_socket(tcp::socket& socket, const KeepaliveSettings& keepalive) {
    boost::system::error_code ec;
    socket.set_option(tcp::no_delay(true), ec);
    if (ec) throw_error(ec, "cannot set TCP_NODELAY");
    if (!keepalive.enabled) return;
    socket.set_option(asio::socket_base::keep_alive(true), ec);
    if (ec) throw_error(ec, "cannot enable TCP keepalive");
    const int fd = socket.native_handle();
    auto set = [fd](int level, int name, int value, const char* label) {
        if (::setsockopt(fd, level, name, &value, sizeof value) != 0) {
            throw_errno(errno, std::string("cannot set ") + label);
        }
    };
    set(IPPROTO_TCP, TCP_KEEPIDLE, keepalive.idle_seconds, "TCP_KEEPIDLE");
    set(IPPROTO_TCP, TCP_KEEPINTVL, keepalive.interval_seconds, "TCP_KEEPINTVL");
    set(IPPROTO_TCP, TCP_KEEPCNT, keepalive.probes, "TCP_KEEPCNT");
    set(IPPROTO_TCP, TCP_USER_TIMEOUT, static_cast<int>(keepalive.user_timeout_ms), "TCP_USER_TIMEOUT");
}

std::string describe_link_error(const boost::system::error_code& ec, const std::string& target, bool reading) {
    const std::string op = reading ? "reading from " : "writing to ";
    if (ec == asio::error::eof) {
        return target + " closed the connection (serial server restarted, or another client took the port)";
    }
    if (ec == asio::error::connection_reset) return target + " reset the connection";
    if (ec == asio::error::timed_out) {
        return "no sign of life from " + target +
               " for 25 s (TCP keepalive): the network or the server is down, or it lost the connection";
    }
    if (ec == asio::error::broken_pipe) return target + " is gone (broken pipe)";
    return op + target + " failed";
}

}  // namespace kamgw::transport
