// The scheduler of one meter: owns its session, polls on the configured interval (aligned to
// the wall clock if asked), honours per-register cadences, keeps meters on a shared line
// apart, serves rate-limited on-demand reads, and reconnects a lost link with backoff.
//
// A lost link (I/O error, failed open) or a meter that answers garbled is tried again after
// a full-jitter backoff that never exceeds the interval; scheduled polls wait for that
// attempt. A link the session closed because the meter did not answer is reopened by the next
// scheduled poll: extra requests would keep a sleeping optical port awake. Either way one log
// line gives the reason and the real time of the next attempt. A poll that leaves the meter
// unidentified publishes no batch.
#pragma once

#include <utility>

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/config/config.hpp"
#include "core/meter/meter_session.hpp"
#include "kamgw/reading.hpp"
#include "kamgw/sink.hpp"

namespace kamgw::meter {

struct RunnerCallbacks {
    std::function<void(ReadingBatch)> on_batch;  // called on the io thread; must not block
    std::function<void(const MeterStatus&)> on_status;
};

// What /health and /metrics show of one meter; a copy taken after every poll.
struct RunnerSnapshot {
    MeterIdentity identity;
    MeterHealth health = MeterHealth::starting;
    std::string detail;  // the session's sentence: why, and what to check
    SessionCounters counters;
    std::vector<std::string> missing_registers;  // configured registers the meter does not have
    std::chrono::milliseconds poll_lag{0};       // how late the last scheduled poll started
    bool behind = false;                         // polls are falling behind their interval
    std::optional<TimePoint> next_attempt;       // when a failed link or identification is tried again
    std::optional<TimePoint> last_poll;          // when the last poll that asked for registers started
    std::optional<TimePoint> next_poll;          // when the next scheduled poll is due
};

// Knobs with production defaults; tests shorten them.
struct RunnerTuning {
    std::chrono::milliseconds backoff_initial{1000};  // first reconnect delay ceiling
    std::chrono::milliseconds backoff_max{300000};    // reconnect delay ceiling
    std::chrono::milliseconds line_spacing{15000};    // between meters of one line group
    std::chrono::milliseconds batch_slack{2000};      // registers due this close together share a poll
    SessionTuning session;
    std::uint64_t seed = 0;  // backoff jitter; 0 picks one at random
};

class MeterRunner {
public:
    MeterRunner(boost::asio::any_io_executor ex, config::MeterConfig cfg, TransportFactory make_transport,
                RunnerCallbacks callbacks, std::chrono::milliseconds min_on_demand_interval, RunnerTuning tuning = {});
    ~MeterRunner();  // stops; a poll in flight finishes on the io thread without calling back
    MeterRunner(const MeterRunner&) = delete;
    MeterRunner& operator=(const MeterRunner&) = delete;

    void start();                                    // co_spawns the loop
    void stop();                                     // stops polling; the current request may finish
    [[nodiscard]] ReadRequestResult request_read();  // thread-safe

    // Thread-safe snapshots, updated after every poll.
    [[nodiscard]] SessionCounters counters() const;
    [[nodiscard]] MeterHealth health() const;
    [[nodiscard]] MeterIdentity identity() const;
    [[nodiscard]] RunnerSnapshot snapshot() const;
    [[nodiscard]] const config::MeterConfig& config() const;

    struct State;

private:
    std::shared_ptr<State> state_;
};

}  // namespace kamgw::meter
