// KMP framing: start byte, destination address, command id, data, CRC, stop byte, with
// byte stuffing of everything between start and stop (the CRC bytes included).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace kamgw::kmp {

inline constexpr std::uint8_t start_request = 0x80;
inline constexpr std::uint8_t start_response = 0x40;
inline constexpr std::uint8_t stop_byte = 0x0D;
inline constexpr std::uint8_t ack_byte = 0x06;
inline constexpr std::uint8_t escape_byte = 0x1B;

// Destination addresses.
inline constexpr std::uint8_t address_meter = 0x3F;
inline constexpr std::uint8_t address_logger_top = 0x7F;
inline constexpr std::uint8_t address_logger_base = 0xBF;

enum class Direction : std::uint8_t { request, response };

// One frame with stuffing and CRC removed.
struct Frame {
    Direction direction = Direction::request;
    std::uint8_t address = address_meter;
    std::uint8_t cid = 0;
    std::vector<std::uint8_t> data;
};

// Bytes that must be escaped inside a frame: 0x06, 0x0D, 0x1B, 0x40, 0x80.
bool needs_stuffing(std::uint8_t b);
void stuff_into(std::span<const std::uint8_t> raw, std::vector<std::uint8_t>& out);
std::vector<std::uint8_t> stuff(std::span<const std::uint8_t> raw);

enum class UnstuffError : std::uint8_t { none, dangling_escape, invalid_escape };
// Unstuffs `stuffed`; an escape whose follower does not complement to an escaped byte is an error.
UnstuffError unstuff_into(std::span<const std::uint8_t> stuffed, std::vector<std::uint8_t>& out);

// The wire bytes of a frame: start, stuffed(address cid data crc_hi crc_lo), stop.
std::vector<std::uint8_t> encode_frame(const Frame& frame);

// What a receiver made of the bytes between a start byte and a stop byte.
enum class FrameError : std::uint8_t {
    none,
    bad_crc,           // CRC residue not zero: rejected, never used
    too_short,         // fewer than address + cid + 2 CRC bytes
    truncated_escape,  // 0x1B right before 0x0D
    invalid_escape,    // 0x1B followed by a byte that does not complement to an escaped byte
};

const char* frame_error_name(FrameError e);

// Parses one complete wire frame (start byte .. stop byte). Used by `kamgw decode` and tests.
struct ParsedFrame {
    Frame frame;
    FrameError error = FrameError::none;
    std::uint16_t crc_received = 0;
    std::uint16_t crc_computed = 0;
};
std::optional<ParsedFrame> parse_frame(std::span<const std::uint8_t> wire);

// Incremental receiver for the bytes coming back from a meter (receive algorithm of the
// protocol notes §2.4): discards everything before a raw 0x40 (the echoed request, stray
// 0x00 bytes, line noise), restarts on a second 0x40, ends at the first raw 0x0D, and
// recognises a lone 0x06 as an acknowledgement. A "frame" that grows past 1024 stuffed bytes
// without a stop byte is line noise: it is dropped and counted in discarded().
class FrameReceiver {
public:
    enum class Event : std::uint8_t {
        none,   // need more bytes
        frame,  // a response frame ended; see result()
        ack,    // a lone 0x06 outside a frame
    };

    // When `accept_ack` is false a 0x06 outside a frame is counted as noise.
    explicit FrameReceiver(bool accept_ack = false) : accept_ack_(accept_ack) {}

    // Consumes bytes up to and including the first event; returns how many were consumed.
    std::size_t feed(std::span<const std::uint8_t> bytes, Event& event);

    // The frame that ended with the last Event::frame (error set if it was rejected).
    [[nodiscard]] const ParsedFrame& result() const { return result_; }

    // Bytes discarded before a start byte since construction or reset (echo, noise, 0x00).
    [[nodiscard]] std::size_t discarded() const { return discarded_; }
    // True while inside a frame (a start byte seen, no stop byte yet).
    [[nodiscard]] bool in_frame() const { return in_frame_; }

    void reset();

private:
    bool accept_ack_;
    bool in_frame_ = false;
    std::vector<std::uint8_t> body_;  // stuffed bytes after the start byte
    ParsedFrame result_;
    std::size_t discarded_ = 0;
};

std::string to_hex(std::span<const std::uint8_t> bytes);  // "80 3f 10 ..." lower case, spaced

}  // namespace kamgw::kmp
