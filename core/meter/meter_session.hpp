// One meter's KMP session over a transport: open, identify once per connection, read
// registers in requests of at most 8, time out, retry once, reconnect after I/O errors,
// and keep health and counters. Straight-line coroutine code on the meter's executor;
// one session is used from one strand at a time.
//
// Link supervision, the same for every transport: a link can be open and still useless (a
// bridge that went silent, streams garbage, trickles a byte a second, or a half-open TCP
// connection). After `SessionTuning::close_after_failed` requests in a row without a valid
// answer (timeouts, CRC errors, broken or foreign frames; a retry counts as a request) the
// session closes the link and needs_reopen() says so; the runner reopens it with backoff.
// The count restarts on every valid answer and on every reopen. Three is the default: one
// poll of a silent meter costs two requests (request and retry), so a link is dropped during
// the second bad poll, which costs a battery meter at most one extra request.
// A link opened to replace a useless one is on probation until it answers once: when its
// first request fails, the retry goes over yet another new link (instead of 1.6 s of quiet on
// this one), and when that fails too the link is closed at once. A bridge that stays wedged
// costs the same two requests per poll; one that healed is back on the retry, so a healed
// peer is read again within one interval plus one timeout.
// Receive state (a half-read frame, bytes waiting in the transport) belongs to one
// connection: a reopen starts from a new transport and a new frame receiver.
//
// A meter is identified (GetSerialNo, GetType) on every new connection before any register
// is read; until that succeeds, poll() reads nothing and identified() is false, and the
// runner publishes no batch (see MeterIdentity in kamgw/reading.hpp).
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
#include <string_view>
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

// One request and what came of it, for placing an optical head (kamgw align).
struct ProbeResult {
    enum class Kind : std::uint8_t {
        answered,   // a valid answer to GetSerialNo
        silent,     // nothing came back
        echo_only,  // only the request itself came back: the head sees its own light, not the meter's
        crc_error,  // an answer came but failed its CRC: light reaches the meter, badly
        garbage,    // bytes that are no answer (noise, a broken frame, another protocol)
        link_down,  // the transport could not be opened or failed
    };
    Kind kind = Kind::silent;
    std::chrono::milliseconds delay{0};  // request sent -> answer complete (answered, crc_error, garbage)
    std::string serial;                  // answered
    std::string detail;                  // one sentence for the failures
};
std::string_view probe_kind_name(ProbeResult::Kind kind);  // "answered", "silent", "echo_only", …

struct SessionTuning {
    // Quiet time before the one retry: the meter ignores input for 1.6 s after a request it
    // did not answer or that arrived broken.
    std::chrono::milliseconds retry_quiet{1600};
    // Requests in a row without a valid answer after which the link is closed and reopened (0: never).
    std::uint32_t close_after_failed{3};
    // Warn once per meter when a configured (or default) register is not in the meter's
    // answer; off for probing (kamgw scan), where absence is the finding.
    bool warn_missing_registers = true;
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

    // One GetSerialNo without retry or identification, opening the link when needed: what one
    // position of the optical head gives. After a failed attempt it waits until the meter
    // listens again (its 1.6 s of ignoring input after a request it did not answer).
    boost::asio::awaitable<ProbeResult> probe();

    // Between polls: keeps one read pending on the open link until `deadline` or
    // cancel_watch(), so a link that dies while idle (TCP keepalive giving up on a half-open
    // connection, the server closing, a USB head pulled) is noticed now, not at the next poll.
    // Bytes that arrive meanwhile answer no request and are dropped. True when the link was
    // lost; health() and detail() say why. Returns at once when no link is open.
    boost::asio::awaitable<bool> watch_until(std::chrono::steady_clock::time_point deadline);
    // Ends a watch_until() early (a read on demand, stop). Call on the session's strand.
    void cancel_watch();
    [[nodiscard]] bool link_open() const { return transport_ && transport_->is_open(); }

    [[nodiscard]] MeterHealth health() const { return health_; }
    [[nodiscard]] const std::string& detail() const { return detail_; }
    [[nodiscard]] const SessionCounters& counters() const { return counters_; }
    [[nodiscard]] const MeterIdentity& identity() const { return identity_; }
    [[nodiscard]] const config::MeterConfig& config() const { return config_; }
    [[nodiscard]] MeterStatus status() const;
    // Whether the last failure was the link (the runner then reconnects with backoff).
    [[nodiscard]] bool link_failed() const { return health_ == MeterHealth::link_down; }
    // The link was closed after a failure (I/O error, failed open, or supervision) and is
    // reopened by the next poll; close_reason() says why. Cleared by a successful open.
    [[nodiscard]] bool needs_reopen() const { return !close_reason_.empty(); }
    [[nodiscard]] const std::string& close_reason() const { return close_reason_; }
    // The last answers came but failed their CRC or did not parse: the meter is awake.
    [[nodiscard]] bool answers_garbled() const { return broken_in_row_ > 0; }
    // True once the meter on the current connection answered GetSerialNo.
    [[nodiscard]] bool identified() const { return identified_; }
    // Configured registers the meter answered without (keys, in the order first seen).
    [[nodiscard]] const std::vector<std::string>& unsupported_registers() const { return unsupported_; }

private:
    // `stale`: this request made the supervision limit; the link has been closed.
    enum class Outcome : std::uint8_t { ok, timeout, bad_crc, bad_frame, io_error, foreign, stale };
    struct Exchange {
        Outcome outcome = Outcome::timeout;
        kmp::Frame frame;
        std::string error;
        Outcome cause = Outcome::timeout;    // for `stale`: what the last request got
        std::chrono::milliseconds delay{0};  // request written -> frame complete
        bool echoed = false;                 // the request came back (an echoing head)
    };
    // Failure class of an exchange, seen through a supervision close.
    static Outcome kind_of(const Exchange& ex) { return ex.outcome == Outcome::stale ? ex.cause : ex.outcome; }

    boost::asio::awaitable<Exchange> exchange_once(const kmp::Frame& request);
    boost::asio::awaitable<Exchange> exchange(const kmp::Frame& request);  // with the one retry
    // Closes the link when `ex` made the supervision limit; `ex` becomes `stale`.
    bool supervise(Exchange& ex);
    boost::asio::awaitable<void> quiet(std::chrono::milliseconds period);
    // One read until `deadline`. Bytes that come (a late answer, or noise between polls) are
    // counted, logged as `what` and dropped: true. False when the deadline passed first. Throws on
    // a link error or the end of the stream.
    boost::asio::awaitable<bool> drop_incoming(std::chrono::steady_clock::time_point deadline, std::string_view what);
    boost::asio::awaitable<bool> open();
    boost::asio::awaitable<Exchange> identify();
    void lose_link(const std::string& why);
    void close_stale_link();
    void note_unsupported(const RegisterInfo& info);
    void set_health(MeterHealth health, std::string detail);
    void report_unanswered(Outcome kind);
    void note_outcome(Outcome outcome);
    // The last link was closed as useless and this one has not answered yet.
    [[nodiscard]] bool on_probation() const { return link_suspect_ && !link_answered_; }

    boost::asio::any_io_executor executor_;
    config::MeterConfig config_;
    TransportFactory make_transport_;
    SessionTuning tuning_;
    std::shared_ptr<spdlog::logger> log_;
    std::unique_ptr<Logger> transport_log_;
    std::unique_ptr<Transport> transport_;
    bool identified_ = false;
    bool open_attempted_ = false;
    MeterIdentity identity_;
    MeterHealth health_ = MeterHealth::starting;
    std::string detail_;
    SessionCounters counters_;
    std::uint32_t unanswered_in_row_ = 0;  // requests without any answer since the last good one
    std::uint32_t foreign_in_row_ = 0;     // requests answered with something that is not KMP
    std::uint32_t broken_in_row_ = 0;      // answers that failed their CRC or did not parse
    std::vector<std::string> failures_;    // requests without a valid answer on this connection, in order
    std::string close_reason_;
    bool watching_ = false;
    bool watch_cancelled_ = false;
    bool link_answered_ = false;  // a valid answer came over the current link
    bool link_suspect_ = false;   // the last link was closed as useless, and none has answered since
    std::vector<std::string> unsupported_;
};

// What a poll of this meter asks for: its configured registers, or the catalogue's defaults
// when it has none (a meter given only by URL).
std::vector<RegisterInfo> configured_registers(const config::MeterConfig& meter);

// One-shot read for `kamgw read` / `kamgw scan`: open, identify, read `registers`, close.
// `status` (optional) receives the session's health, detail and counters.
boost::asio::awaitable<ReadingBatch> read_once(boost::asio::any_io_executor executor, config::MeterConfig config,
                                               TransportFactory make_transport, std::vector<RegisterInfo> registers,
                                               MeterStatus* status = nullptr, SessionTuning tuning = {});

}  // namespace kamgw::meter
