// Helpers for the meter tests: run a coroutine to completion, build a meter configuration,
// and a transport wrapper that records frames and injects I/O failures.
#pragma once

#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <exception>
#include <memory>
#include <optional>
#include <system_error>
#include <vector>

#include "core/config/config.hpp"
#include "core/kmp/register_catalogue.hpp"
#include "kamgw/transport.hpp"
#include "plugins/transport-sim/sim_transport.hpp"

namespace kamgw::meter::test {

template <typename T>
T run_sync(boost::asio::io_context& io, boost::asio::awaitable<T> task) {
    std::optional<T> result;
    std::exception_ptr error;
    boost::asio::co_spawn(io, std::move(task), [&](std::exception_ptr e, T value) {
        error = e;
        if (!e) result = std::move(value);
    });
    io.restart();
    io.run();
    if (error) std::rethrow_exception(error);
    return std::move(*result);
}

inline std::vector<RegisterInfo> registers(std::initializer_list<std::uint16_t> ids) {
    std::vector<RegisterInfo> out;
    for (auto id : ids) out.push_back(*kmp::resolve_register(std::to_string(id)));
    return out;
}

inline config::MeterConfig meter_config(std::string name = "house",
                                        std::initializer_list<std::uint16_t> ids = {60, 68}) {
    config::MeterConfig cfg;
    cfg.name = std::move(name);
    cfg.url = "sim://multical403";
    cfg.endpoint.url = cfg.url;
    cfg.endpoint.scheme = "sim";
    cfg.endpoint.host = "multical403";
    cfg.timeout = std::chrono::milliseconds(150);
    cfg.inter_byte_timeout = std::chrono::milliseconds(100);
    for (const auto& info : registers(ids)) cfg.registers.push_back(config::RegisterSchedule{info, {}});
    return cfg;
}

inline sim::SimTransportOptions fast_sim(kmp::Faults faults = {}) {
    sim::SimTransportOptions o;
    o.serial = 12345678;
    o.pace = false;
    o.faults = std::move(faults);
    o.faults.answer_delay = std::chrono::milliseconds(5);
    return o;
}

// What the wrapper saw and what it should break.
struct LinkControl {
    std::vector<std::vector<std::uint8_t>> writes;
    int opens = 0;
    std::vector<std::chrono::system_clock::time_point> open_times;
    int fail_opens = 0;                // this many next open() calls fail
    int fail_writes = 0;               // this many next write() calls fail
    std::optional<int> fail_write_at;  // the write with this index (0-based, over all writes) fails
    std::error_code open_error = std::make_error_code(std::errc::connection_refused);
    int truncate_answers = 0;  // this many next answers end after their first 3 bytes
};

// A transport in front of a simulated meter that records every write and fails on command.
class ControlledTransport final : public Transport {
public:
    ControlledTransport(std::unique_ptr<Transport> inner, std::shared_ptr<LinkControl> control)
        : inner_(std::move(inner)), control_(std::move(control)) {}

    boost::asio::awaitable<void> open() override {
        ++control_->opens;
        control_->open_times.push_back(std::chrono::system_clock::now());
        if (control_->fail_opens > 0) {
            --control_->fail_opens;
            throw std::system_error(control_->open_error, "connect");
        }
        co_await inner_->open();
    }
    boost::asio::awaitable<std::size_t> read_some(std::span<std::uint8_t> buffer) override {
        // After a cut the rest of the answer is swallowed: the read ends only when the
        // session's deadline cancels it.
        while (cut_) (void)co_await inner_->read_some(buffer);
        const std::size_t n = co_await inner_->read_some(buffer);
        if (control_->truncate_answers <= 0) co_return n;
        --control_->truncate_answers;
        cut_ = true;
        co_return std::min<std::size_t>(n, 3);
    }
    boost::asio::awaitable<void> write(std::span<const std::uint8_t> bytes) override {
        cut_ = false;
        const int index = static_cast<int>(control_->writes.size());
        control_->writes.emplace_back(bytes.begin(), bytes.end());
        if (control_->fail_writes > 0 || control_->fail_write_at == index) {
            if (control_->fail_writes > 0) --control_->fail_writes;
            throw std::system_error(std::make_error_code(std::errc::connection_reset), "write");
        }
        co_await inner_->write(bytes);
    }
    void cancel() override { inner_->cancel(); }
    void close() override { inner_->close(); }
    [[nodiscard]] bool is_open() const override { return inner_->is_open(); }

private:
    std::unique_ptr<Transport> inner_;
    std::shared_ptr<LinkControl> control_;
    bool cut_ = false;
};

// A factory for sessions and runners: one simulated meter (kept in `meter`) behind a
// controlled link; a reconnect gets a new link to the same meter.
struct SimLink {
    sim::SimTransportOptions options;
    std::shared_ptr<LinkControl> control = std::make_shared<LinkControl>();

    std::function<std::unique_ptr<Transport>(const TransportContext&)> factory() {
        auto opts = options;
        auto ctl = control;
        return [opts, ctl](const TransportContext& ctx) -> std::unique_ptr<Transport> {
            return std::make_unique<ControlledTransport>(std::make_unique<sim::SimTransport>(ctx.executor, opts), ctl);
        };
    }
};

}  // namespace kamgw::meter::test
