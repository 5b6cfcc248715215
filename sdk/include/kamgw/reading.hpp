// Typed readings: what flows from a meter session over the bus to every sink.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kamgw/decimal.hpp"
#include "kamgw/register_info.hpp"
#include "kamgw/units.hpp"

namespace kamgw {

using Clock = std::chrono::system_clock;
using TimePoint = Clock::time_point;

// Who a reading came from. `serial`: the meter's serial number (GetSerialNo) as decimal text; it identifies a meter to
// hubs and survives a renamed config. A batch never lacks it: until the meter is identified the poll is held.
struct MeterIdentity {
    std::string name;              // the [[meter]] name from the configuration
    std::string serial;            // e.g. "12345678"; identification is retried with backoff until known
    std::string model;             // e.g. "MULTICAL 403", from GetType or the configuration
    std::string firmware;          // software revision from GetType, e.g. "F1"; may be empty
    std::uint16_t meter_type = 0;  // raw GetType meter type code
};

enum class Quality : std::uint8_t {
    ok,     // read from the meter in this poll
    stale,  // the last good value, repeated because this poll failed
    error,  // no usable value; `value` is meaningless
};

constexpr std::string_view quality_name(Quality q) {
    switch (q) {
        case Quality::ok:
            return "ok";
        case Quality::stale:
            return "stale";
        case Quality::error:
            return "error";
    }
    return "error";
}

struct Reading {
    std::uint16_t register_id = 0;
    std::string key;   // stable register key, e.g. "heat_energy"
    std::string name;  // human name, e.g. "Heat energy (E1)"
    Quantity quantity = Quantity::other;
    Decimal value;
    Unit unit = Unit::none;
    std::uint8_t unit_code = 0;  // the code as the meter sent it (differs from `unit` only for unknown codes)
    TimePoint time;
    Quality quality = Quality::ok;
    HaHints ha;  // Home Assistant presentation from the register catalogue

    [[nodiscard]] std::string_view unit_symbol() const { return kamgw::unit_symbol(unit); }
};

// Why a requested register did not come back.
enum class MissingReason : std::uint8_t {
    not_supported,  // the meter answered but left this register out
    no_answer,      // the request timed out (after the retry)
    bad_frame,      // the answer failed its CRC or did not parse (after the retry)
    link_down,      // the transport could not be opened or failed
};

constexpr std::string_view missing_reason_name(MissingReason r) {
    switch (r) {
        case MissingReason::not_supported:
            return "not_supported";
        case MissingReason::no_answer:
            return "no_answer";
        case MissingReason::bad_frame:
            return "bad_frame";
        case MissingReason::link_down:
            return "link_down";
    }
    return "no_answer";
}

struct MissingRegister {
    std::uint16_t register_id = 0;
    std::string key;
    MissingReason reason = MissingReason::no_answer;
};

// One poll of one meter: what was asked for, what came back and why the rest did not.
struct ReadingBatch {
    MeterIdentity meter;
    TimePoint started;
    TimePoint finished;
    std::vector<std::uint16_t> requested;
    std::vector<Reading> readings;
    std::vector<MissingRegister> missing;
    bool on_demand = false;  // triggered by a "read now" request rather than the schedule

    [[nodiscard]] const Reading* find(std::string_view key) const {
        for (const auto& r : readings)
            if (r.key == key) return &r;
        return nullptr;
    }
};

// A batch's stable identity, the same every time it is delivered: "<serial>-<poll start in
// nanoseconds since the epoch>". Delivery is at least once (after a crash a sink may get a
// batch it already wrote), so a sink that cannot write idempotently de-duplicates on this.
inline std::string batch_id(const ReadingBatch& batch) {
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(batch.started.time_since_epoch()).count();
    return (batch.meter.serial.empty() ? batch.meter.name : batch.meter.serial) + "-" + std::to_string(ns);
}

// Health of one meter's session, published whenever it changes and after every poll.
enum class MeterHealth : std::uint8_t {
    starting,     // not polled yet
    ok,           // the last poll got answers
    no_answer,    // the link is up but the meter does not answer (IR head alignment, meter asleep)
    link_down,    // the transport is down (unplugged head, ser2net unreachable); reconnecting
    unsupported,  // the device answers, but not in KMP (e.g. MULTICAL 66C)
};

constexpr std::string_view meter_health_name(MeterHealth h) {
    switch (h) {
        case MeterHealth::starting:
            return "starting";
        case MeterHealth::ok:
            return "ok";
        case MeterHealth::no_answer:
            return "no_answer";
        case MeterHealth::link_down:
            return "link_down";
        case MeterHealth::unsupported:
            return "unsupported";
    }
    return "starting";
}

struct SessionCounters {
    std::uint64_t requests = 0;
    std::uint64_t responses = 0;
    std::uint64_t bytes_sent = 0;
    std::uint64_t bytes_received = 0;
    std::uint64_t timeouts = 0;
    std::uint64_t crc_errors = 0;
    std::uint64_t bad_frames = 0;  // frames rejected for anything but CRC (truncation, wrong CID, …)
    std::uint64_t retries = 0;
    std::uint64_t reconnects = 0;
    std::uint64_t polls = 0;
    std::uint64_t polls_failed = 0;
};

struct MeterStatus {
    MeterIdentity meter;
    MeterHealth health = MeterHealth::starting;
    std::string detail;  // one human sentence: why, and what to check
    TimePoint time;
    std::chrono::seconds interval{3600};  // the meter's poll interval (sinks derive expiry from it)
    SessionCounters counters;
};

// A date register (units yy:mm:dd, yyyy:mm:dd) as a calendar date; nullopt for 0 ("not set")
// or for a number that is no valid date. The number is zero-padded before it is split, so
// 90101 is 2009-01-01.
inline std::optional<std::chrono::year_month_day> reading_date(const Decimal& value, Unit unit) {
    if (value.negative || value.exponent != 0 || value.mantissa == 0) return std::nullopt;
    const std::uint64_t v = value.mantissa;
    int year = 0;
    unsigned month = 0, day = 0;
    if (unit == Unit::date_yymmdd) {
        if (v > 991231) return std::nullopt;
        year = 2000 + static_cast<int>(v / 10000);
    } else if (unit == Unit::date_yyyymmdd) {
        if (v > 99991231) return std::nullopt;
        year = static_cast<int>(v / 10000);
    } else {
        return std::nullopt;
    }
    month = static_cast<unsigned>((v / 100) % 100);
    day = static_cast<unsigned>(v % 100);
    std::chrono::year_month_day ymd{std::chrono::year{year}, std::chrono::month{month}, std::chrono::day{day}};
    if (!ymd.ok()) return std::nullopt;
    return ymd;
}

}  // namespace kamgw
