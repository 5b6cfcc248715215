// MeterSession::probe(): one bare GetSerialNo per call, for placing an optical head. It goes
// through the same transport, framing and receive code as every poll; only the retry and the
// identification are left out, so each attempt shows what one position of the head gives.
#include <spdlog/spdlog.h>

#include "core/kmp/commands.hpp"
#include "core/meter/meter_session.hpp"

namespace kamgw::meter {

std::string_view probe_kind_name(ProbeResult::Kind kind) {
    switch (kind) {
        case ProbeResult::Kind::answered:
            return "answered";
        case ProbeResult::Kind::silent:
            return "silent";
        case ProbeResult::Kind::echo_only:
            return "echo_only";
        case ProbeResult::Kind::crc_error:
            return "crc_error";
        case ProbeResult::Kind::garbage:
            return "garbage";
        case ProbeResult::Kind::link_down:
            return "link_down";
    }
    return "silent";
}

boost::asio::awaitable<ProbeResult> MeterSession::probe() {
    using Kind = ProbeResult::Kind;
    ProbeResult result;
    if (!co_await open()) {
        result.kind = Kind::link_down;
        result.detail = detail_.empty() ? close_reason_ : detail_;
        co_return result;
    }
    const kmp::Frame request = kmp::make_get_serial(config_.address);
    const std::size_t request_bytes = kmp::encode_frame(request).size();
    const std::uint64_t received_before = counters_.bytes_received;
    const Exchange ex = co_await exchange_once(request);
    const std::uint64_t received = counters_.bytes_received - received_before;
    result.delay = ex.delay;
    result.detail = ex.error;
    switch (ex.outcome) {
        case Outcome::ok:
            if (const auto serial = kmp::parse_get_serial(ex.frame)) {
                result.kind = Kind::answered;
                result.serial = std::to_string(*serial);
            } else {
                result.kind = Kind::garbage;
                result.detail = "the answer to GetSerialNo has no serial number";
            }
            break;
        case Outcome::bad_crc:
            result.kind = Kind::crc_error;
            break;
        case Outcome::bad_frame:
        case Outcome::foreign:
            result.kind = Kind::garbage;
            break;
        case Outcome::timeout:
        case Outcome::stale:
            if (received == 0) {
                result.kind = Kind::silent;
            } else if (ex.echoed && received == request_bytes) {
                result.kind = Kind::echo_only;
                result.detail = "only the request came back";
            } else {
                result.kind = Kind::garbage;
                result.detail = std::to_string(received) + " bytes that are no answer";
            }
            break;
        case Outcome::io_error:
            result.kind = Kind::link_down;
            lose_link(ex.error);
            co_return result;
    }
    if (result.kind != Kind::answered) {
        // The meter ignores input for a while after a request it did not answer or that came
        // broken: the next attempt waits, so it is not lost to that pause.
        try {
            co_await quiet(tuning_.retry_quiet);
        } catch (const std::exception& e) {
            lose_link(e.what());
        }
    }
    co_return result;
}

}  // namespace kamgw::meter
