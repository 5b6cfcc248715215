// KMP application layer: requests kamgw sends and responses it understands.
//
// Reading commands (GetType, GetSerialNo, GetRegister) are what the gateway uses. Writing
// commands (SetClock, PutRegister) are encoded and decoded here but only ever sent when a
// user asks for them explicitly on the command line. Logger commands (0xA0–0xA3) and event
// status (0x9B/0x9C) are encoded and decoded for logger modules at address 0x7F/0xBF.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/kmp/frame.hpp"
#include "kamgw/decimal.hpp"

namespace kamgw::kmp {

enum Cid : std::uint8_t {
    cid_get_type = 0x01,
    cid_get_serial = 0x02,
    cid_set_clock = 0x09,
    cid_get_register = 0x10,
    cid_put_register = 0x11,
    cid_get_event_status = 0x9B,
    cid_clear_event_status = 0x9C,
    cid_log_time_present = 0xA0,
    cid_log_last_present = 0xA1,
    cid_log_id_present = 0xA2,
    cid_log_time_past = 0xA3,
};

const char* cid_name(std::uint8_t cid);  // "GetRegister", … or "Unknown"

inline constexpr std::size_t max_registers_per_request = 8;

Frame make_get_type(std::uint8_t address = address_meter);
Frame make_get_serial(std::uint8_t address = address_meter);
// 1..8 ids; throws std::invalid_argument otherwise (never sends N > 8).
Frame make_get_register(std::span<const std::uint16_t> ids, std::uint8_t address = address_meter);

// One register block of a GetRegister response.
struct RegisterValue {
    std::uint16_t id = 0;
    std::uint8_t unit_code = 0;
    std::uint8_t nob = 0;
    std::uint8_t siex = 0;
    Decimal value;
};

struct TypeInfo {
    std::uint16_t meter_type = 0;
    std::string software_revision;  // "F1"; empty when the meter reports none
};

std::optional<TypeInfo> parse_get_type(const Frame& response);
std::optional<std::uint32_t> parse_get_serial(const Frame& response);

// Walks the register blocks by their own length fields and keys them by the id found,
// never by position. A block whose NOB runs past the end stops the walk: the blocks before
// it are kept and `truncated` is set. So does a block with NOB > 8 (no 64-bit mantissa holds
// it) and a frame that is no GetRegister response at all (CID other than 0x10).
struct RegisterResponse {
    std::vector<RegisterValue> values;
    bool truncated = false;
};
RegisterResponse parse_get_register(const Frame& response);
// The ids a GetRegister request asks for (for `kamgw decode`).
std::optional<std::vector<std::uint16_t>> parse_get_register_request(const Frame& request);

// The server side of GetRegister, for the simulated meter: one block per value.
Frame make_get_register_response(std::span<const RegisterValue> values, std::uint8_t address = address_meter);
Frame make_get_type_response(const TypeInfo& info, std::uint8_t address = address_meter);
Frame make_get_serial_response(std::uint32_t serial, std::uint8_t address = address_meter);

// SetClock: date YYMMDD and time HHMMSS as decimal-coded 32-bit numbers.
struct ClockSetting {
    int year = 2000;  // 2000..2099
    unsigned month = 1, day = 1, hour = 0, minute = 0, second = 0;
};
std::optional<Frame> make_set_clock(const ClockSetting& when, std::uint8_t address = address_meter);
std::optional<ClockSetting> parse_set_clock(const Frame& request);

// PutRegister: password, register id and a value block.
struct PutRegister {
    std::uint16_t password = 0;
    RegisterValue value;
};
std::optional<Frame> make_put_register(const PutRegister& put, std::uint8_t address = address_logger_top);
std::optional<PutRegister> parse_put_register(const Frame& request);

// Event status (0x9B / 0x9C).
struct EventStatus {
    std::uint8_t es[4] = {0, 0, 0, 0};
};
Frame make_get_event_status(std::uint8_t address = address_logger_top);
Frame make_clear_event_status(const std::uint8_t masks[8], std::uint8_t address = address_logger_top);
std::optional<EventStatus> parse_event_status(const Frame& response);
std::optional<std::array<std::uint8_t, 8>> parse_clear_event_status(const Frame& request);
// The logger's side (both 0x9B and 0x9C are answered with CID 0x9B and the four status bytes).
Frame make_event_status_response(const EventStatus& status, std::uint8_t address = address_logger_top);

// Logger commands (0xA0–0xA3).
struct LogTime {  // YY MM DD hh mm ss, binary
    std::uint8_t yy = 0, mm = 1, dd = 1, hh = 0, mi = 0, ss = 0;
};
struct LogRequest {
    std::uint8_t cid = cid_log_last_present;
    std::uint8_t log_id = 1;
    std::vector<std::uint16_t> registers;  // 1..8
    std::uint8_t records = 1;
    std::uint8_t max_length = 0x80;
    LogTime time;                 // A0, A3
    std::uint16_t record_id = 0;  // A2: start record; A3: offset
};
std::optional<Frame> make_log_request(const LogRequest& request, std::uint8_t address = address_logger_top);
std::optional<LogRequest> parse_log_request(const Frame& request);

struct LogRecord {
    std::uint16_t record_id = 0;
    std::vector<RegisterValue> values;
};
struct LogResponse {
    std::uint8_t log_id = 0;
    std::vector<LogRecord> records;
    std::uint16_t last_read_record = 0;
    std::uint16_t newest_record = 0;
    std::uint8_t info = 0;  // bit 0 empty, 2 out of range, 3 MaxL reached, 4 end of log
};
// `registers` is how many registers each record carries (the request's NRgs).
std::optional<LogResponse> parse_log_response(const Frame& response, std::size_t registers);
// Without the request at hand: finds the register count for which the frame's length adds up.
std::optional<LogResponse> parse_log_response(const Frame& response);
// The logger's side, for tests and the simulated meter. Every record must carry the same
// registers (ids, units, NOB) as the first; `cid` is one of 0xA0..0xA3.
std::optional<Frame> make_log_response(const LogResponse& response, std::uint8_t cid = cid_log_last_present,
                                       std::uint8_t address = address_logger_top);

}  // namespace kamgw::kmp
