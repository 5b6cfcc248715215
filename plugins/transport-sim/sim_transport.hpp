// An in-process transport to a simulated meter: requests written to it go to a
// kmp::MeterModel, and the model's answer comes back through read_some(), paced like the
// optical link (11 bits a byte at the line's baud) unless pacing is off. Everything runs on
// the executor the host hands over; nothing touches a real device.
#pragma once

#include <utility>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <deque>
#include <string_view>

#include "core/kmp/meter_model.hpp"
#include "kamgw/config.hpp"
#include "kamgw/transport.hpp"

namespace kamgw::sim {

struct SimTransportOptions {
    kmp::ModelKind kind = kmp::ModelKind::multical403;
    std::uint32_t serial = 12345678;
    kmp::Faults faults;
    std::uint64_t seed = 1;
    unsigned baud = 1200;
    bool pace = true;
};

// The URL's query keys (validated by the host against this table).
std::span<const ConfigKey> sim_config_keys();

// Options from "sim://multical403?serial=…&faults=…&answer_delay=…&pace=…&seed=…". Reads the
// validated table when the host filled it, else the raw query. Throws std::invalid_argument
// with a sentence naming the bad key.
SimTransportOptions sim_options_from(const TransportContext& context);

class SimTransport final : public Transport {
public:
    SimTransport(boost::asio::any_io_executor executor, SimTransportOptions options, Logger* log = nullptr);

    boost::asio::awaitable<void> open() override;
    boost::asio::awaitable<std::size_t> read_some(std::span<std::uint8_t> buffer) override;
    boost::asio::awaitable<void> write(std::span<const std::uint8_t> bytes) override;
    void cancel() override;
    void close() override;
    [[nodiscard]] bool is_open() const override { return open_; }

    // The meter behind the link (it outlives close()/open(), as a real meter does).
    [[nodiscard]] kmp::MeterModel& model() { return model_; }
    [[nodiscard]] const SimTransportOptions& options() const { return options_; }

private:
    using SteadyTime = std::chrono::steady_clock::time_point;
    struct PendingByte {
        SteadyTime at;
        std::uint8_t value;
    };

    SimTransportOptions options_;
    kmp::MeterModel model_;
    kmp::RequestSplitter splitter_;
    Logger* log_;
    boost::asio::steady_timer timer_;        // wakes a reader: next byte due, new bytes queued, or cancel()
    boost::asio::steady_timer write_timer_;  // a paced write lasts the request's time on the wire
    std::deque<PendingByte> incoming_;
    SteadyTime line_free_{};  // when the meter finishes its current answer
    bool open_ = false;
    bool reading_ = false;
    bool cancel_requested_ = false;
    bool writing_ = false;
    bool write_cancel_requested_ = false;
};

}  // namespace kamgw::sim
