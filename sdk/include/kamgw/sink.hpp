// The sink contract: a sink formats and writes; the core buffers, batches and retries.
//
// Every call on one Sink object comes from that sink's own lane thread, one at a time, so
// a sink needs no locking for its own state. A slow or blocking sink only delays its own
// lane. A sink that keeps a background connection (an MQTT client loop, a websocket) may
// run its own thread, and then synchronises that thread with its own calls.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "kamgw/config.hpp"
#include "kamgw/log.hpp"
#include "kamgw/reading.hpp"

namespace kamgw {

// What the core answers to a sink that asks for an on-demand read.
enum class ReadRequestResult : std::uint8_t {
    accepted,      // scheduled; the batch arrives like any other, with on_demand = true
    rate_limited,  // the meter was read too recently; its battery comes first
    unknown_meter,
};

// A meter as configured, for sinks that announce meters before the first reading
// (e.g. Home Assistant discovery).
struct MeterInfo {
    MeterIdentity identity;  // serial and model are empty until the meter was identified
    std::chrono::seconds interval{3600};
    std::vector<std::string> register_keys;  // what this meter is configured to read
};

// The core, as a sink sees it. Valid from Sink::start() until Sink::stop() returns.
class SinkHost {
public:
    virtual ~SinkHost() = default;
    [[nodiscard]] virtual Logger& log() = 0;
    [[nodiscard]] virtual const ConfigTable& config() const = 0;         // this instance's validated table
    [[nodiscard]] virtual const std::string& instance_name() const = 0;  // e.g. "mqtt-ha" or the `name` key
    [[nodiscard]] virtual const std::string& gateway_id() const = 0;
    [[nodiscard]] virtual const std::string& gateway_version() const = 0;
    // A folder owned by this sink instance that survives restarts (created on demand).
    [[nodiscard]] virtual std::filesystem::path state_dir() const = 0;
    [[nodiscard]] virtual std::vector<MeterInfo> meters() const = 0;
    // Thread-safe; may be called from any thread the sink owns.
    virtual ReadRequestResult request_read(const std::string& meter_name) = 0;
    // Asks the lane to call Sink::idle() within `within` (0: as soon as it can). Thread-safe:
    // a sink's own network thread calls it when something needs the lane thread (a new
    // connection, a message to answer), and idle() calls it for a timer it needs.
    virtual void wake(std::chrono::milliseconds within) = 0;
};

struct WriteResult {
    enum class Code : std::uint8_t {
        ok,     // written (a sink that dropped single bad points itself still answers ok)
        retry,  // transient failure: the core keeps the batches and retries with backoff
        reject  // permanent failure for these batches: the core drops them, counts and logs
    };
    Code code = Code::ok;
    std::string message;  // why, for the log; never contains secrets

    static WriteResult ok() { return {}; }
    static WriteResult retry(std::string why) { return {Code::retry, std::move(why)}; }
    static WriteResult reject(std::string why) { return {Code::reject, std::move(why)}; }
};

class Sink {
public:
    virtual ~Sink() = default;

    // Called once on the lane thread before anything else. Throwing here disables the sink
    // (logged); the daemon and the other sinks go on.
    virtual void start(SinkHost& host) = 0;

    // Write these batches, oldest first. Called with up to the lane's batch size.
    virtual WriteResult write(std::span<const ReadingBatch> batches) = 0;

    // A meter's health changed or a poll finished. Latest-wins: not retried.
    virtual void status(const MeterStatus& status) { (void)status; }

    // Called when the sink asked for it with SinkHost::wake(), and otherwise about every 2 minutes
    // when nothing else happens. An idle gateway sleeps in between: ask for what you need.
    virtual void idle() {}

    // SIGHUP: reopen files (logrotate) or reconnect as the sink sees fit.
    virtual void reopen() {}

    // Called once at shutdown after the lane drained (or gave up draining).
    virtual void stop() {}
};

}  // namespace kamgw
