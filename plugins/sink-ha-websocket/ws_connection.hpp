// The wire under the session: one websocket to /api/websocket and short keep-alive HTTP
// connections for POST /api/states, both on the session's io_context, plain or TLS.
//
// Only ws_connection.cpp includes Boost.Beast; everything else sees this small interface.
#pragma once

#include <utility>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <memory>
#include <string>

#include "plugins/sink-ha-websocket/options.hpp"

namespace kamgw::ha_websocket {

class WsConnection {
public:
    virtual ~WsConnection() = default;
    // TCP (and TLS) connect and the websocket upgrade; throws std::system_error or
    // std::runtime_error with a sentence that names the address.
    virtual boost::asio::awaitable<void> connect(std::chrono::milliseconds timeout) = 0;
    // One text frame. Server ping frames are answered while reading.
    virtual boost::asio::awaitable<std::string> read() = 0;
    virtual boost::asio::awaitable<void> write(std::string text) = 0;
    // Ends every pending operation (they complete with an error).
    virtual void close() = 0;
};

std::unique_ptr<WsConnection> make_ws_connection(boost::asio::io_context& io, const Options& options);

struct HttpAnswer {
    int status = 0;
    std::string body;
};

// A keep-alive HTTP/1.1 client for the REST API; reconnects by itself when the server
// closed the connection between two requests.
class RestClient {
public:
    virtual ~RestClient() = default;
    // POST <path_prefix><target> with a JSON body and `Authorization: Bearer <token>`.
    // Throws std::system_error when Home Assistant cannot be reached.
    virtual boost::asio::awaitable<HttpAnswer> post(std::string target, std::string body, std::string token,
                                                    std::chrono::milliseconds timeout) = 0;
    virtual void close() = 0;
};

std::unique_ptr<RestClient> make_rest_client(boost::asio::io_context& io, const Options& options);

}  // namespace kamgw::ha_websocket
