// One meter's KMP session over a transport: open, identify once per connection, read
// registers in requests of at most 8, time out, retry once, reconnect after I/O errors,
// and keep health and counters. Straight-line coroutine code on the meter's executor;
// one session is used from one strand at a time.
#pragma once

#include <utility>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/config/config.hpp"
#include "core/kmp/commands.hpp"
#include "kamgw/reading.hpp"
#include "kamgw/transport.hpp"

namespace spdlog {
class logger;
}

namespace kamgw::meter {

using TransportFactory = std::function<std::unique_ptr<Transport>(const TransportContext&)>;

struct SessionTuning {
    // Quiet time before the one retry: the meter ignores input for 1.6 s after a request it
    // did not answer or that arrived broken.
    std::chrono::milliseconds retry_quiet{1600};
};

class MeterSession {
public:
    MeterSession(boost::asio::any_io_executor executor, config::MeterConfig config, TransportFactory make_transport,
                 SessionTuning tuning = {});
    ~MeterSession();
    MeterSession(const MeterSession&) = delete;
    MeterSession& operator=(const MeterSession&) = delete;

    // Reads these registers (any number; sent 8 per request). Opens and identifies first when
    // needed. Never throws for meter or link problems: they end up in `missing` and health().
    boost::asio::awaitable<ReadingBatch> poll(std::vector<RegisterInfo> registers, bool on_demand = false);

    // Opens the transport (if closed) and identifies the meter (once per connection).
    // False when that failed; health() and detail() say why.
    boost::asio::awaitable<bool> connect();

    void close();

    [[nodiscard]] MeterHealth health() const { return health_; }
    [[nodiscard]] const std::string& detail() const { return detail_; }
    [[nodiscard]] const SessionCounters& counters() const { return counters_; }
    [[nodiscard]] const MeterIdentity& identity() const { return identity_; }
    [[nodiscard]] const config::MeterConfig& config() const { return config_; }
    [[nodiscard]] MeterStatus status() const;
    // Whether the last failure was the link (the runner then reconnects with backoff).
    [[nodiscard]] bool link_failed() const { return health_ == MeterHealth::link_down; }

private:
    enum class Outcome : std::uint8_t { ok, timeout, bad_crc, bad_frame, io_error, foreign };
    struct Exchange {
        Outcome outcome = Outcome::timeout;
        kmp::Frame frame;
        std::string error;
    };

    boost::asio::awaitable<Exchange> exchange_once(const kmp::Frame& request);
    boost::asio::awaitable<Exchange> exchange(const kmp::Frame& request);  // with the one retry
    boost::asio::awaitable<void> quiet(std::chrono::milliseconds period);
    boost::asio::awaitable<bool> open();
    boost::asio::awaitable<Outcome> identify();
    void lose_link(const std::string& why);
    void set_health(MeterHealth health, std::string detail);
    void note_outcome(Outcome outcome);

    boost::asio::any_io_executor executor_;
    config::MeterConfig config_;
    TransportFactory make_transport_;
    SessionTuning tuning_;
    std::shared_ptr<spdlog::logger> log_;
    std::unique_ptr<Logger> transport_log_;
    std::unique_ptr<Transport> transport_;
    bool identified_ = false;
    bool ever_connected_ = false;
    MeterIdentity identity_;
    MeterHealth health_ = MeterHealth::starting;
    std::string detail_;
    SessionCounters counters_;
    std::uint32_t unanswered_in_row_ = 0;  // requests without any answer since the last good one
    std::uint32_t foreign_in_row_ = 0;     // requests answered with something that is not KMP
    std::uint32_t broken_in_row_ = 0;      // answers that failed their CRC or did not parse
};

// One-shot read for `kamgw read` / `kamgw scan`: open, identify, read `registers`, close.
// `status` (optional) receives the session's health, detail and counters.
boost::asio::awaitable<ReadingBatch> read_once(boost::asio::any_io_executor executor, config::MeterConfig config,
                                               TransportFactory make_transport, std::vector<RegisterInfo> registers,
                                               MeterStatus* status = nullptr, SessionTuning tuning = {});

}  // namespace kamgw::meter
