// The socket tuning and connect errors of the tcp/rfc2217 transports, on loopback only.
#include "plugins/transport-tcp/tcp_link.hpp"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <exception>

namespace kamgw::transport {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace std::chrono_literals;

int int_option(int fd, int level, int name) {
    int value = -1;
    socklen_t size = sizeof value;
    EXPECT_EQ(::getsockopt(fd, level, name, &value, &size), 0);
    return value;
}

// Runs connect_tcp to completion and returns the exception it ended with, if any.
std::exception_ptr connect(asio::io_context& io, tcp::socket& socket, const HostPort& target,
                           std::chrono::milliseconds timeout) {
    tcp::resolver resolver(io);
    std::exception_ptr result;
    bool done = false;
    asio::co_spawn(io, connect_tcp(socket, resolver, target, timeout), [&](std::exception_ptr e) {
        result = e;
        done = true;
    });
    io.restart();
    while (!done) io.run_one_for(100ms);
    return result;
}

TEST(TcpLink, ConnectsAndTunesTheSocket) {
    asio::io_context io;
    tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    tcp::socket socket(io);
    const HostPort target{"127.0.0.1", std::to_string(acceptor.local_endpoint().port())};
    ASSERT_FALSE(connect(io, socket, target, 5s));
    ASSERT_TRUE(socket.is_open());

    tune_socket(socket, KeepaliveSettings{});
    const int fd = socket.native_handle();
    EXPECT_EQ(int_option(fd, IPPROTO_TCP, TCP_NODELAY), 1);
    EXPECT_EQ(int_option(fd, SOL_SOCKET, SO_KEEPALIVE), 1);
    EXPECT_EQ(int_option(fd, IPPROTO_TCP, TCP_KEEPIDLE), 10);
    EXPECT_EQ(int_option(fd, IPPROTO_TCP, TCP_KEEPINTVL), 5);
    EXPECT_EQ(int_option(fd, IPPROTO_TCP, TCP_KEEPCNT), 3);
    EXPECT_EQ(int_option(fd, IPPROTO_TCP, TCP_USER_TIMEOUT), 25000);
}

TEST(TcpLink, KeepaliveCanBeSwitchedOff) {
    asio::io_context io;
    tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    tcp::socket socket(io);
    ASSERT_FALSE(connect(io, socket, {"127.0.0.1", std::to_string(acceptor.local_endpoint().port())}, 5s));
    KeepaliveSettings off;
    off.enabled = false;
    tune_socket(socket, off);
    EXPECT_EQ(int_option(socket.native_handle(), IPPROTO_TCP, TCP_NODELAY), 1);
    EXPECT_EQ(int_option(socket.native_handle(), SOL_SOCKET, SO_KEEPALIVE), 0);
}

TEST(TcpLink, RefusedConnectionIsActionable) {
    asio::io_context io;
    std::uint16_t port = 0;
    {
        tcp::acceptor probe(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
        port = probe.local_endpoint().port();
    }  // closed again: nothing listens there now
    tcp::socket socket(io);
    const auto error = connect(io, socket, {"127.0.0.1", std::to_string(port)}, 5s);
    ASSERT_TRUE(error);
    try {
        std::rethrow_exception(error);
    } catch (const std::system_error& e) {
        EXPECT_EQ(e.code(), std::errc::connection_refused);
        EXPECT_NE(std::string(e.what()).find("is ser2net (or the serial server) running"), std::string::npos)
            << e.what();
    }
    EXPECT_FALSE(socket.is_open());
}

TEST(TcpLink, DescribesBrokenLinks) {
    EXPECT_NE(describe_link_error(asio::error::eof, "h:1", true).find("closed the connection"), std::string::npos);
    EXPECT_NE(describe_link_error(asio::error::timed_out, "h:1", true).find("keepalive"), std::string::npos);
    EXPECT_NE(describe_link_error(asio::error::connection_reset, "h:1", false).find("reset"), std::string::npos);
}

}  // namespace
}  // namespace kamgw::transport
