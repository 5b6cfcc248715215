#include "core/meter/meter_session.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <system_error>

#include "core/base/logging.hpp"
#include "core/kmp/frame.hpp"
#include "core/kmp/register_catalogue.hpp"
#include "core/meter/deadline_io.hpp"
#include "core/meter/meter_types.hpp"
#include "core/meter/open_failure.hpp"

namespace kamgw::meter {
namespace {

using namespace std::chrono_literals;
using std::chrono::steady_clock;

// A device that sends at least this many bytes that are neither our echo nor stray zeros,
// without a single KMP start byte, is talking some other protocol.
constexpr std::size_t foreign_byte_threshold = 4;

// The meter's URL for logs, without any "user:password@".
std::string endpoint_text(const config::MeterConfig& cfg) {
    std::string url = cfg.url.empty() ? cfg.endpoint.url : cfg.url;
    const auto scheme_end = url.find("://");
    if (scheme_end == std::string::npos) return url;
    const auto host_start = scheme_end + 3;
    const auto at = url.find('@', host_start);
    const auto slash = url.find_first_of("/?", host_start);
    if (at != std::string::npos && (slash == std::string::npos || at < slash))
        url.erase(host_start, at + 1 - host_start);
    return url;
}

std::string reading_key(const RegisterInfo& info) {
    return info.key.empty() ? kmp::register_key(info.id) : std::string(info.key);
}

Reading make_reading(const RegisterInfo& info, const kmp::RegisterValue& v, TimePoint now) {
    Reading r;
    r.register_id = v.id;
    r.key = reading_key(info);
    r.name = info.name.empty() ? r.key : std::string(info.name);
    r.quantity = info.quantity;
    r.value = v.value;
    r.unit = unit_from_code(v.unit_code);
    r.unit_code = v.unit_code;
    r.time = now;
    r.quality = Quality::ok;
    r.ha = info.ha;
    return r;
}

std::string what_of(const std::exception& e) { return e.what(); }

}  // namespace

MeterSession::MeterSession(boost::asio::any_io_executor executor, config::MeterConfig config,
                           TransportFactory make_transport, SessionTuning tuning)
    : executor_(std::move(executor)),
      config_(std::move(config)),
      make_transport_(std::move(make_transport)),
      tuning_(tuning),
      log_(base::make_logger("meter " + config_.name)) {
    transport_log_ = std::make_unique<base::PluginLogger>(log_);
    identity_.name = config_.name;
    identity_.model = model_name(std::nullopt, config_.model);
}

MeterSession::~MeterSession() { close(); }

void MeterSession::close() {
    if (transport_) {
        try {
            transport_->close();
        } catch (const std::exception& e) {
            log_->debug("closing the transport failed: {}", e.what());
        }
    }
    transport_.reset();
    identified_ = false;
}

MeterStatus MeterSession::status() const {
    MeterStatus s;
    s.meter = identity_;
    s.health = health_;
    s.detail = detail_;
    s.time = Clock::now();
    s.interval = std::chrono::duration_cast<std::chrono::seconds>(config_.interval);
    s.counters = counters_;
    return s;
}

void MeterSession::set_health(MeterHealth health, std::string detail) {
    const bool changed = health != health_ || detail != detail_;
    const bool health_changed = health != health_;
    health_ = health;
    detail_ = std::move(detail);
    if (!changed) return;
    // The logger already names the meter; the detail names it too because sinks show it alone.
    std::string_view line = detail_;
    const std::string prefix = "meter " + config_.name + ": ";
    if (line.substr(0, prefix.size()) == prefix) line.remove_prefix(prefix.size());
    if (health == MeterHealth::ok) {
        if (health_changed) log_->info("{}", line);
    } else if (health == MeterHealth::link_down) {
        // The runner logs every reopen with this detail and the time of the next attempt.
        log_->debug("{}", line);
    } else if (health_changed) {
        log_->warn("{}", line);
    } else {
        log_->debug("{}", line);
    }
}

void MeterSession::lose_link(const std::string& why) {
    close();
    close_reason_ = why;
    set_health(MeterHealth::link_down, "meter " + config_.name + ": the link to " + endpoint_text(config_) +
                                           " is down (" + why +
                                           "); check the cable, the device path or the network bridge");
}

void MeterSession::close_stale_link() {
    const bool was_probation = on_probation();
    close();
    // Each failure in its own words: a trickle shows as a cut-off answer after a timeout.
    std::string list;
    for (const auto& f : failures_) list += (list.empty() ? "" : "; ") + f;
    close_reason_ = was_probation ? "no valid answer on the new links either (" + list + "), so the link was closed"
                                  : "no valid answer to " + std::to_string(failures_.size()) + " requests in a row (" +
                                        list + "), so the link was closed";
    failures_.clear();
    link_suspect_ = true;
}

void MeterSession::note_unsupported(const RegisterInfo& info) {
    if (!tuning_.warn_missing_registers) return;
    const std::string key = reading_key(info);
    if (std::find(unsupported_.begin(), unsupported_.end(), key) != unsupported_.end()) return;
    unsupported_.push_back(key);
    if (config_.registers.empty()) {
        log_->warn("the meter has no register {} ({}), one of the default registers; it is left out of the readings",
                   key, info.id);
    } else {
        log_->warn(
            "the meter has no register {} ({}) although it is configured; it is left out of every reading: remove it "
            "from `registers` (kamgw scan {} lists what the meter has)",
            key, info.id, endpoint_text(config_));
    }
}

boost::asio::awaitable<bool> MeterSession::open() {
    if (transport_ && transport_->is_open()) co_return true;
    // A transport that failed is dropped, not reopened: nothing it buffered may reach the
    // next connection.
    if (transport_) close();
    // Every attempt after the first counts, failed ones too: the counter says how often the
    // link had to be opened again.
    if (open_attempted_) ++counters_.reconnects;
    open_attempted_ = true;
    try {
        if (!transport_) {
            TransportContext ctx;
            ctx.executor = executor_;
            ctx.endpoint = config_.endpoint;
            if (ctx.endpoint.url.empty()) ctx.endpoint.url = config_.url;
            ctx.line = config_.line;
            ctx.options = config_.transport_options;
            ctx.log = transport_log_.get();
            transport_ = make_transport_ ? make_transport_(ctx) : nullptr;
            if (!transport_) throw std::runtime_error("no transport for '" + endpoint_text(config_) + "'");
        }
        co_await transport_->open();
        close_reason_.clear();
        failures_.clear();
        link_answered_ = false;
        log_->debug("opened {}", endpoint_text(config_));
        co_return true;
    } catch (const std::exception& e) {
        if (const auto exhausted = describe_fd_exhaustion(e)) {
            close();
            close_reason_ = *exhausted;
            set_health(MeterHealth::link_down,
                       "meter " + config_.name + ": cannot open " + endpoint_text(config_) + ": " + *exhausted);
        } else {
            lose_link(what_of(e));
        }
    }
    co_return false;
}

void MeterSession::note_outcome(Outcome outcome) {
    switch (outcome) {
        case Outcome::ok:
            unanswered_in_row_ = foreign_in_row_ = broken_in_row_ = 0;
            break;
        case Outcome::timeout:
            ++unanswered_in_row_;
            break;
        case Outcome::foreign:
            ++foreign_in_row_;
            break;
        case Outcome::bad_crc:
        case Outcome::bad_frame:
            ++broken_in_row_;
            break;
        case Outcome::io_error:
        case Outcome::stale:
            break;
    }
}

boost::asio::awaitable<MeterSession::Exchange> MeterSession::exchange_once(const kmp::Frame& request) {
    Exchange result;
    const std::vector<std::uint8_t> wire = kmp::encode_frame(request);
    if (log_->should_log(spdlog::level::debug)) log_->debug("Write: {}", kmp::to_hex(wire));
    ++counters_.requests;
    try {
        const auto write_deadline = steady_clock::now() + config_.timeout + 2s;
        if (!co_await write_until(*transport_, wire, write_deadline)) {
            result.outcome = Outcome::io_error;
            result.error = "writing the request did not finish in time";
            co_return result;
        }
        counters_.bytes_sent += wire.size();
        const auto sent_at = steady_clock::now();

        kmp::FrameReceiver receiver(false);
        std::vector<std::uint8_t> before_frame;  // the first bytes seen outside a frame: echo, noise, foreign text
        const auto first_deadline = steady_clock::now() + config_.timeout;
        auto deadline = first_deadline;
        std::array<std::uint8_t, 256> buffer{};
        for (;;) {
            const auto n = co_await read_some_until(*transport_, buffer, deadline);
            if (!n) break;
            if (*n == 0) throw std::system_error(std::make_error_code(std::errc::connection_reset), "end of stream");
            counters_.bytes_received += *n;
            std::span<const std::uint8_t> rest(buffer.data(), *n);
            if (log_->should_log(spdlog::level::debug)) log_->debug("Read: {}", kmp::to_hex(rest));
            while (!rest.empty()) {
                if (!receiver.in_frame() && before_frame.size() < 512) {
                    // Record what precedes a start byte, to tell an echo from another protocol.
                    for (std::uint8_t b : rest) {
                        if (b == kmp::start_response) break;
                        before_frame.push_back(b);
                    }
                }
                kmp::FrameReceiver::Event event = kmp::FrameReceiver::Event::none;
                const std::size_t used = receiver.feed(rest, event);
                rest = rest.subspan(std::min(used, rest.size()));
                if (event != kmp::FrameReceiver::Event::frame) continue;
                result.delay = std::chrono::duration_cast<std::chrono::milliseconds>(steady_clock::now() - sent_at);
                const auto& parsed = receiver.result();
                if (parsed.error == kmp::FrameError::bad_crc) {
                    ++counters_.crc_errors;
                    result.outcome = Outcome::bad_crc;
                    result.error = "CRC error";
                    log_->debug("CRC error (received {:04x}, computed {:04x})", parsed.crc_received,
                                parsed.crc_computed);
                } else if (parsed.error != kmp::FrameError::none) {
                    ++counters_.bad_frames;
                    result.outcome = Outcome::bad_frame;
                    result.error = kmp::frame_error_name(parsed.error);
                } else if (parsed.frame.address != request.address || parsed.frame.cid != request.cid) {
                    ++counters_.bad_frames;
                    result.outcome = Outcome::bad_frame;
                    result.error = "answer to another command";
                } else {
                    ++counters_.responses;
                    result.outcome = Outcome::ok;
                    result.frame = parsed.frame;
                }
                co_return result;
            }
            // Inside an answer the next byte must follow quickly; before it, the first-byte
            // deadline holds (an echo does not start the answer).
            deadline = receiver.in_frame() ? steady_clock::now() + config_.inter_byte_timeout : first_deadline;
        }
        ++counters_.timeouts;
        // Strip our own echo and stray zeros; what remains came from something that is not KMP.
        std::span<const std::uint8_t> other(before_frame);
        if (other.size() >= wire.size() && std::equal(wire.begin(), wire.end(), other.begin())) {
            other = other.subspan(wire.size());
            result.echoed = true;
        }
        const auto foreign = static_cast<std::size_t>(
            std::count_if(other.begin(), other.end(), [](std::uint8_t b) { return b != 0x00; }));
        if (foreign >= foreign_byte_threshold && !receiver.in_frame()) {
            result.outcome = Outcome::foreign;
            result.error = std::to_string(foreign) + " bytes that are not KMP";
        } else {
            result.outcome = Outcome::timeout;
            result.error = receiver.in_frame() ? "the answer stopped mid-frame" : "no answer";
            log_->debug("Rx Timeout ({})", result.error);
        }
    } catch (const std::exception& e) {
        result.outcome = Outcome::io_error;
        result.error = what_of(e);
    }
    co_return result;
}

boost::asio::awaitable<bool> MeterSession::drop_incoming(std::chrono::steady_clock::time_point deadline,
                                                         std::string_view what) {
    std::array<std::uint8_t, 256> buffer{};
    const auto n = co_await read_some_until(*transport_, buffer, deadline);
    if (!n) co_return false;
    if (*n == 0) throw std::system_error(std::make_error_code(std::errc::connection_reset), "end of stream");
    counters_.bytes_received += *n;
    if (log_->should_log(spdlog::level::debug))
        log_->debug("{}: {}", what, kmp::to_hex(std::span<const std::uint8_t>(buffer.data(), *n)));
    co_return true;
}

boost::asio::awaitable<void> MeterSession::quiet(std::chrono::milliseconds period) {
    // Waits until the line has been silent for `period`, swallowing late answers so they
    // cannot be taken for the answer to the retry. Bounded, for a line that never stops.
    const auto give_up = steady_clock::now() + 3 * period;
    auto deadline = steady_clock::now() + period;
    while (steady_clock::now() < give_up) {
        if (!co_await drop_incoming(std::min(deadline, give_up), "Read")) co_return;
        deadline = steady_clock::now() + period;
    }
}

bool MeterSession::supervise(Exchange& ex) {
    if (ex.outcome == Outcome::ok) {
        failures_.clear();
        link_answered_ = true;
        link_suspect_ = false;
    }
    if (ex.outcome == Outcome::ok || ex.outcome == Outcome::io_error) return false;
    failures_.push_back(ex.error);
    if (tuning_.close_after_failed == 0) return false;
    if (!on_probation() && failures_.size() < tuning_.close_after_failed) return false;
    close_stale_link();
    ex.cause = ex.outcome;
    ex.outcome = Outcome::stale;
    ex.error = close_reason_;
    return true;
}

boost::asio::awaitable<MeterSession::Exchange> MeterSession::exchange(const kmp::Frame& request) {
    Exchange first = co_await exchange_once(request);
    note_outcome(first.outcome);
    if (first.outcome == Outcome::ok || first.outcome == Outcome::io_error) {
        supervise(first);
        co_return first;
    }
    if (on_probation()) {
        // The link replacing a useless one did not answer: it may be just as useless (a wedged
        // bridge keeps failing each connection it has), so the retry goes over a new link
        // rather than waiting out the quiet time on this one. A healed peer answers it at once.
        ++counters_.retries;
        failures_.push_back(first.error);
        std::vector<std::string> failures = std::move(failures_);
        // Debug only: the runner's line for this attempt names both links' failures.
        log_->debug("{} to {} on the link opened to replace a useless one; opening another one for the retry now",
                    first.error, kmp::cid_name(request.cid));
        close();
        if (!co_await open()) {
            Exchange failed;
            failed.outcome = Outcome::io_error;
            failed.error = close_reason_;
            co_return failed;
        }
        failures_ = std::move(failures);
    } else {
        if (supervise(first)) co_return first;
        ++counters_.retries;
        log_->debug("{} to {}: retrying after {} ms of quiet", first.error, kmp::cid_name(request.cid),
                    tuning_.retry_quiet.count());
        try {
            co_await quiet(tuning_.retry_quiet);
        } catch (const std::exception& e) {
            Exchange failed;
            failed.outcome = Outcome::io_error;
            failed.error = what_of(e);
            co_return failed;
        }
    }
    Exchange second = co_await exchange_once(request);
    note_outcome(second.outcome);
    supervise(second);
    co_return second;
}

boost::asio::awaitable<bool> MeterSession::watch_until(std::chrono::steady_clock::time_point deadline) {
    if (!link_open()) co_return false;
    watching_ = true;
    watch_cancelled_ = false;
    bool lost = false;
    try {
        while (!watch_cancelled_ && co_await drop_incoming(deadline, "Read while idle")) {
        }
    } catch (const std::exception& e) {
        if (!watch_cancelled_) {
            lose_link(what_of(e) + ", while waiting for the next poll");
            lost = true;
        }
    }
    watching_ = false;
    watch_cancelled_ = false;
    co_return lost;
}

void MeterSession::cancel_watch() {
    if (!watching_ || !transport_) return;
    watch_cancelled_ = true;
    transport_->cancel();
}

boost::asio::awaitable<MeterSession::Exchange> MeterSession::identify() {
    Exchange serial = co_await exchange(kmp::make_get_serial(config_.address));
    if (serial.outcome != Outcome::ok) co_return serial;
    const auto sn = kmp::parse_get_serial(serial.frame);
    if (!sn) {
        ++counters_.bad_frames;
        serial.outcome = Outcome::bad_frame;
        serial.error = "the answer to GetSerialNo has no serial number";
        co_return serial;
    }
    std::optional<std::uint16_t> type;
    Exchange type_answer = co_await exchange(kmp::make_get_type(config_.address));
    // Without GetType the model falls back to the configuration; a lost link is another matter.
    if (type_answer.outcome == Outcome::io_error || type_answer.outcome == Outcome::stale) co_return type_answer;
    if (type_answer.outcome == Outcome::ok) {
        if (const auto info = kmp::parse_get_type(type_answer.frame)) {
            type = info->meter_type;
            identity_.meter_type = info->meter_type;
            identity_.firmware = info->software_revision;
        }
    }
    identity_.serial = std::to_string(*sn);
    identity_.model = model_name(type, config_.model);
    identified_ = true;
    log_->info("identified {} serial {}{}{} (meter type 0x{:04x}) on {}", identity_.model, identity_.serial,
               identity_.firmware.empty() ? "" : ", firmware ", identity_.firmware, identity_.meter_type,
               endpoint_text(config_));
    co_return serial;
}

void MeterSession::report_unanswered(Outcome kind) {
    std::string detail = "meter " + config_.name + ": ";
    MeterHealth health = MeterHealth::no_answer;
    switch (kind) {
        case Outcome::foreign:
            health = MeterHealth::unsupported;
            detail +=
                "the device answers, but not in KMP; MULTICAL 66C, 41 and 401 speak IEC 1107 and are not supported; "
                "check that this is a KMP meter (MULTICAL 302/402/403/601/602/603/803, flowIQ)";
            break;
        case Outcome::bad_crc:
        case Outcome::bad_frame:
            detail += "answers fail their CRC or do not parse (" + std::to_string(broken_in_row_) +
                      " in a row); check the IR head's position and shield it from daylight";
            break;
        default:
            detail += "no answer to " + std::to_string(unanswered_in_row_) +
                      " requests; check the IR head's position and that the meter's optical port is awake";
            break;
    }
    if (!identified_) detail += "; not identified yet, so nothing is read";
    if (needs_reopen()) detail += "; " + close_reason_ + " and is reopened";
    set_health(health, std::move(detail));
}

boost::asio::awaitable<bool> MeterSession::connect() {
    if (!co_await open()) co_return false;
    if (identified_) co_return true;
    const Exchange id = co_await identify();
    if (id.outcome == Outcome::ok) {
        // A reopen between polls has no poll to say so; a poll sets its own health after this.
        if (health_ != MeterHealth::ok) set_health(MeterHealth::ok, "meter " + config_.name + ": ok");
        co_return true;
    }
    if (id.outcome == Outcome::io_error) {
        lose_link(id.error + ", while identifying the meter");
        co_return false;
    }
    // Readings without the meter's serial would be filed under the wrong meter: nothing is
    // read until identification succeeds (the runner tries again).
    report_unanswered(kind_of(id));
    co_return false;
}

boost::asio::awaitable<ReadingBatch> MeterSession::poll(std::vector<RegisterInfo> registers, bool on_demand) {
    ReadingBatch batch;
    batch.started = Clock::now();
    batch.on_demand = on_demand;
    for (const auto& r : registers) batch.requested.push_back(r.id);
    ++counters_.polls;

    auto mark_missing = [&](std::span<const RegisterInfo> regs, MissingReason reason) {
        for (const auto& r : regs) batch.missing.push_back(MissingRegister{r.id, reading_key(r), reason});
    };
    auto reason_for = [](Outcome kind) {
        return kind == Outcome::bad_crc || kind == Outcome::bad_frame ? MissingReason::bad_frame
                                                                      : MissingReason::no_answer;
    };

    const bool connected = co_await connect();
    if (!connected) {
        const MissingReason reason = health_ == MeterHealth::link_down ? MissingReason::link_down
                                     : health_ == MeterHealth::no_answer && broken_in_row_ > 0
                                         ? MissingReason::bad_frame
                                         : MissingReason::no_answer;
        mark_missing(registers, reason);
    } else {
        bool link_lost = false, meter_silent = false;
        std::optional<Outcome> last_failure;
        std::uint32_t answered = 0, broken = 0;
        for (std::size_t first = 0; first < registers.size(); first += kmp::max_registers_per_request) {
            const std::size_t count = std::min(kmp::max_registers_per_request, registers.size() - first);
            std::span<const RegisterInfo> chunk(registers.data() + first, count);
            if (link_lost) {
                mark_missing(chunk, MissingReason::link_down);
                continue;
            }
            if (meter_silent) {
                // The meter stopped answering; more requests would only cost time and battery.
                mark_missing(chunk, MissingReason::no_answer);
                continue;
            }
            std::vector<std::uint16_t> ids;
            for (const auto& r : chunk) ids.push_back(r.id);
            const Exchange ex = co_await exchange(kmp::make_get_register(ids, config_.address));
            const TimePoint now = Clock::now();
            switch (ex.outcome) {
                case Outcome::ok: {
                    ++answered;
                    const auto response = kmp::parse_get_register(ex.frame);
                    if (response.truncated) ++counters_.bad_frames;
                    for (const auto& info : chunk) {
                        const auto it = std::find_if(response.values.begin(), response.values.end(),
                                                     [&](const kmp::RegisterValue& v) { return v.id == info.id; });
                        if (it != response.values.end()) {
                            batch.readings.push_back(make_reading(info, *it, now));
                        } else {
                            if (!response.truncated) note_unsupported(info);
                            batch.missing.push_back(MissingRegister{
                                info.id, reading_key(info),
                                response.truncated ? MissingReason::bad_frame : MissingReason::not_supported});
                        }
                    }
                    break;
                }
                case Outcome::io_error:
                    link_lost = true;
                    lose_link(ex.error);
                    mark_missing(chunk, MissingReason::link_down);
                    break;
                case Outcome::bad_crc:
                case Outcome::bad_frame:
                    ++broken;
                    last_failure = ex.outcome;
                    mark_missing(chunk, MissingReason::bad_frame);
                    break;
                case Outcome::timeout:
                case Outcome::foreign:
                    meter_silent = true;
                    last_failure = ex.outcome;
                    mark_missing(chunk, MissingReason::no_answer);
                    break;
                case Outcome::stale:
                    // The link is closed; the rest waits for the reopened one.
                    meter_silent = true;
                    last_failure = ex.cause;
                    if (ex.cause == Outcome::bad_crc || ex.cause == Outcome::bad_frame) ++broken;
                    mark_missing(chunk, reason_for(ex.cause));
                    break;
            }
        }
        if (!link_lost) {
            if (answered > 0) {
                std::string detail = "meter " + config_.name + ": ok";
                if (broken > 0)
                    detail += " (" + std::to_string(broken) +
                              " requests failed their CRC twice; the IR head may be slightly misaligned)";
                if (!unsupported_.empty()) {
                    detail += " (the meter has no register";
                    for (const auto& key : unsupported_) detail += " " + key;
                    detail += ")";
                }
                set_health(MeterHealth::ok, std::move(detail));
            } else if (last_failure) {
                report_unanswered(*last_failure);
            } else {
                set_health(MeterHealth::ok, "meter " + config_.name + ": ok");
            }
        }
    }
    batch.meter = identity_;
    batch.finished = Clock::now();
    if (batch.readings.empty() && !registers.empty()) ++counters_.polls_failed;
    if (!batch.missing.empty() && log_->should_log(spdlog::level::debug)) {
        std::string list;
        for (const auto& m : batch.missing)
            list += " " + m.key + "(" + std::string(missing_reason_name(m.reason)) + ")";
        log_->debug("missing:{}", list);
    }
    co_return batch;
}

std::vector<RegisterInfo> configured_registers(const config::MeterConfig& meter) {
    std::vector<RegisterInfo> out;
    for (const auto& r : meter.registers) out.push_back(r.info);
    if (out.empty())
        for (auto id : kmp::default_registers())
            if (const auto* info = kmp::find_register(id)) out.push_back(*info);
    return out;
}

boost::asio::awaitable<ReadingBatch> read_once(boost::asio::any_io_executor executor, config::MeterConfig config,
                                               TransportFactory make_transport, std::vector<RegisterInfo> registers,
                                               MeterStatus* status, SessionTuning tuning) {
    MeterSession session(std::move(executor), std::move(config), std::move(make_transport), tuning);
    ReadingBatch batch = co_await session.poll(std::move(registers), true);
    session.close();
    if (status) *status = session.status();
    co_return batch;
}

}  // namespace kamgw::meter
