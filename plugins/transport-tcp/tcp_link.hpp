// Connecting and tuning the TCP socket under the tcp and rfc2217 transports.
#pragma once

#include <utility>  // before Asio: Boost 1.74's awaitable.hpp needs std::exchange

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/system/error_code.hpp>
#include <chrono>
#include <memory>
#include <string>

#include "plugins/transport-tcp/host_port.hpp"

namespace kamgw::transport {

// Dead-peer detection for a peer gone without a FIN (power cut, cable pulled, NAT state
// lost): first probe after 10 s of silence, then every 5 s, give up after 3 unanswered probes,
// so a half-open connection fails within 25 s, less than one poll of most meters, even while
// the session waits for an answer. Unacknowledged writes give up after the same 25 s
// (TCP_USER_TIMEOUT).
struct KeepaliveSettings {
    bool enabled = true;
    int idle_seconds = 10;
    int interval_seconds = 5;
    int probes = 3;
    unsigned user_timeout_ms = 25'000;
};

// Cancels the socket (and the resolver, if given) once `timeout` has passed, unless it is
// destroyed first. Lets straight-line coroutine code put a deadline on a sequence of reads
// (0 means no deadline). fired() tells a deadline from a cancel() by the core.
class CancelAfter {
public:
    CancelAfter(boost::asio::ip::tcp::socket& socket, std::chrono::milliseconds timeout,
                boost::asio::ip::tcp::resolver* resolver = nullptr);
    ~CancelAfter();
    CancelAfter(const CancelAfter&) = delete;
    CancelAfter& operator=(const CancelAfter&) = delete;
    [[nodiscard]] bool fired() const;

private:
    struct State;
    // Shared with the timer handler, which may run after this object is gone (it was already
    // queued when the guarded operation finished).
    std::shared_ptr<State> state_;
    boost::asio::steady_timer timer_;
};

// Resolves and connects `socket` to `target`; a zero `timeout` waits as long as the system
// does. Throws std::system_error that names the target and what to check. A cancel of the
// socket or resolver while connecting finishes with std::errc::operation_canceled.
boost::asio::awaitable<void> connect_tcp(boost::asio::ip::tcp::socket& socket, boost::asio::ip::tcp::resolver& resolver,
                                         const HostPort& target, std::chrono::milliseconds timeout);

// TCP_NODELAY (a KMP request must leave in one piece: the meter drops requests with gaps
// over 27 ms) and keepalive as above. Throws std::system_error if the kernel refuses.
void tune_socket(boost::asio::ip::tcp::socket& socket, const KeepaliveSettings& keepalive);

// The sentence for a failed read or write on an established connection to `target`.
std::string describe_link_error(const boost::system::error_code& ec, const std::string& target, bool reading);

}  // namespace kamgw::transport
