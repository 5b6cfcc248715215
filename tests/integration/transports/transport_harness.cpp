#include "tests/integration/transports/transport_harness.hpp"

#include <gtest/gtest.h>

#include <boost/asio/use_awaitable.hpp>

#include "tests/support/network.hpp"

namespace kamgw::test {

TransportPlugin::TransportPlugin(const std::string& name)
    : library_(plugin_dir() / ("kamgw-transport-" + name + ".so")) {
    // The daemon's order: the ABI number first, the descriptor only if it matches.
    const auto abi = library_.get<int()>("kamgw_plugin_abi");
    if (abi() != KAMGW_PLUGIN_ABI) throw std::runtime_error("plugin " + name + " has another ABI");
    descriptor_ = library_.get<const PluginDescriptor*()>("kamgw_plugin_descriptor")();
    if (descriptor_ == nullptr || descriptor_->make_transport == nullptr) {
        throw std::runtime_error("plugin " + name + " has no transport factory");
    }
}

std::unique_ptr<Transport> TransportPlugin::make(const TransportContext& context) const {
    return descriptor_->make_transport(context);
}

void CaptureLogger::log(LogLevel level, std::string_view message) {
    std::lock_guard lock(mutex_);
    lines_.emplace_back(level, std::string(message));
}

std::vector<std::string> CaptureLogger::lines(LogLevel at_least) const {
    std::lock_guard lock(mutex_);
    std::vector<std::string> out;
    for (const auto& [level, text] : lines_) {
        if (level >= at_least) out.push_back(text);
    }
    return out;
}

TransportContext make_context(boost::asio::io_context& io, const std::string& url, LineSettings line, Logger* log) {
    TransportContext context;
    context.executor = io.get_executor();
    context.endpoint.url = url;
    context.line = line;
    context.log = log;
    return context;
}

void run(boost::asio::io_context& io, boost::asio::awaitable<void> work, std::chrono::milliseconds timeout,
         const std::function<void()>& on_timeout) {
    auto wrapped = [](boost::asio::awaitable<void> w) -> boost::asio::awaitable<int> {
        co_await std::move(w);
        co_return 0;
    };
    (void)run<int>(io, wrapped(std::move(work)), timeout, on_timeout);
}

Bytes exchange(boost::asio::io_context& io, Transport& transport, const Bytes& request, std::size_t expected_size,
               std::chrono::milliseconds timeout) {
    auto work = [&]() -> boost::asio::awaitable<Bytes> {
        co_await transport.write(request);
        Bytes got;
        std::uint8_t buffer[64];
        while (got.size() < expected_size) {
            const std::size_t n = co_await transport.read_some(buffer);
            got.insert(got.end(), buffer, buffer + n);
        }
        co_return got;
    };
    return run<Bytes>(io, work(), timeout, [&] { transport.cancel(); });
}

Ser2net::Ser2net(const TempDir& dir, const std::filesystem::path& device, bool rfc2217) : port_(free_port()) {
    const std::string name = rfc2217 ? "rfc2217" : "raw";
    config_ = dir / ("ser2net-" + name + ".yaml");  // ser2net reads the YAML format only from *.yaml
    log_file_ = dir / ("ser2net-" + name + ".log");
    const std::string accepter =
        std::string(rfc2217 ? "telnet(rfc2217),tcp" : "tcp") + ",127.0.0.1," + std::to_string(port_);
    dir.write(config_.filename().string(), "%YAML 1.1\n---\nconnection: &meter\n    accepter: " + accepter +
                                               "\n    connector: serialdev," + device.string() +
                                               ",1200n82,local\n    options:\n      kickolduser: true\n");
    start();
}

void Ser2net::start() {
    process_ = ChildProcess({"ser2net", "-n", "-d", "-u", "-c", config_.string()}, log_file_);
    if (!wait_for_port(port_, 10s)) throw std::runtime_error("ser2net did not listen on " + std::to_string(port_));
}

void Ser2net::stop() { process_.stop(); }

}  // namespace kamgw::test
