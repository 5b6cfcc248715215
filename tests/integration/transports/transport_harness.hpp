// Shared pieces of the transport tests: loading a transport plugin the way the daemon does
// (Boost.DLL from $KAMGW_PLUGIN_DIR), driving its coroutines on a test io_context, a logger
// that keeps what it was told, and ser2net in front of a pty.
#pragma once

#include <utility>  // before Asio: Boost 1.74's awaitable.hpp needs std::exchange

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/dll/shared_library.hpp>
#include <chrono>
#include <exception>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "kamgw/plugin.hpp"
#include "kamgw/transport.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace kamgw::test {

using Bytes = std::vector<std::uint8_t>;
using namespace std::chrono_literals;

// One transport plugin, loaded from $KAMGW_PLUGIN_DIR/kamgw-transport-<name>.so. Transports it
// made must be destroyed before it.
class TransportPlugin {
public:
    explicit TransportPlugin(const std::string& name);
    [[nodiscard]] const PluginDescriptor& descriptor() const { return *descriptor_; }
    [[nodiscard]] std::unique_ptr<Transport> make(const TransportContext& context) const;

private:
    boost::dll::shared_library library_;
    const PluginDescriptor* descriptor_ = nullptr;
};

class CaptureLogger final : public Logger {
public:
    void log(LogLevel level, std::string_view message) override;
    [[nodiscard]] bool enabled(LogLevel) const override { return true; }
    [[nodiscard]] std::vector<std::string> lines(LogLevel at_least) const;

private:
    mutable std::mutex mutex_;
    std::vector<std::pair<LogLevel, std::string>> lines_;
};

TransportContext make_context(boost::asio::io_context& io, const std::string& url, LineSettings line = {},
                              Logger* log = nullptr);

// Runs `work` on `io` until it finishes; after `timeout` calls `on_timeout` (a cancel) and
// waits for the coroutine to wind up, then throws. Exceptions from `work` are rethrown.
template <typename T>
T run(boost::asio::io_context& io, boost::asio::awaitable<T> work, std::chrono::milliseconds timeout,
      const std::function<void()>& on_timeout = {}) {
    bool done = false;
    std::exception_ptr error;
    std::optional<T> value;
    boost::asio::co_spawn(io, std::move(work), [&](std::exception_ptr e, T v) {
        done = true;
        error = e;
        if (!e) value.emplace(std::move(v));
    });
    io.restart();
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done && std::chrono::steady_clock::now() < deadline) io.run_one_for(50ms);
    if (!done) {
        if (on_timeout) on_timeout();
        while (!done) io.run_one_for(50ms);
        throw std::runtime_error("the transport did not finish within " + std::to_string(timeout.count()) + " ms");
    }
    if (error) std::rethrow_exception(error);
    return std::move(*value);
}

void run(boost::asio::io_context& io, boost::asio::awaitable<void> work, std::chrono::milliseconds timeout,
         const std::function<void()>& on_timeout = {});

// Writes `request` and reads until `expected_size` bytes came back (or the timeout passes).
Bytes exchange(boost::asio::io_context& io, Transport& transport, const Bytes& request, std::size_t expected_size,
               std::chrono::milliseconds timeout = 10s);

// The exception a coroutine ended with, for EXPECT_* on its code and text.
template <typename T>
std::optional<std::system_error> failure_of(boost::asio::io_context& io, boost::asio::awaitable<T> work,
                                            std::chrono::milliseconds timeout,
                                            const std::function<void()>& on_timeout = {}) {
    try {
        run(io, std::move(work), timeout, on_timeout);
    } catch (const std::system_error& e) {
        return e;
    }
    return std::nullopt;
}

// ser2net 4 serving one pty on 127.0.0.1:port, raw ("tcp") or RFC 2217 ("telnet(rfc2217),tcp").
class Ser2net {
public:
    Ser2net(const TempDir& dir, const std::filesystem::path& device, bool rfc2217);
    void start();
    void stop();
    [[nodiscard]] std::uint16_t port() const { return port_; }
    [[nodiscard]] std::string log() const { return process_.log(); }

private:
    std::filesystem::path config_;
    std::filesystem::path log_file_;
    std::uint16_t port_;
    ChildProcess process_;
};

// A KMP GetSerialNo request and, from the pty meter, its 0x40 answer.
inline const Bytes get_serial_request = {0x80, 0x3f, 0x02, 0x35, 0xe9, 0x0d};
inline Bytes answer_to(const Bytes& request) {
    Bytes a = request;
    a.front() = 0x40;
    return a;
}

}  // namespace kamgw::test
