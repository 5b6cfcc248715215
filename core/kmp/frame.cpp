#include "core/kmp/frame.hpp"

#include "core/kmp/crc.hpp"

namespace kamgw::kmp {
namespace {

// A GetRegister response for 8 registers of 8 bytes each is 2 + 8 * 13 + 2 = 108 raw bytes and
// a log response is bounded by its MaxL byte (at most 255), so twice that covers any stuffed
// frame. Anything longer is noise that never met a stop byte; dropping it keeps a receiver
// fed by a babbling line from growing without bound.
constexpr std::size_t max_stuffed_body = 1024;

// Turns the stuffed bytes between a start byte and a stop byte into a frame.
ParsedFrame parse_stuffed_body(Direction direction, std::span<const std::uint8_t> stuffed) {
    ParsedFrame parsed;
    parsed.frame.direction = direction;
    std::vector<std::uint8_t> raw;
    raw.reserve(stuffed.size());
    switch (unstuff_into(stuffed, raw)) {
        case UnstuffError::dangling_escape:
            parsed.error = FrameError::truncated_escape;
            return parsed;
        case UnstuffError::invalid_escape:
            parsed.error = FrameError::invalid_escape;
            return parsed;
        case UnstuffError::none:
            break;
    }
    if (raw.size() < 4) {
        parsed.error = FrameError::too_short;
        if (!raw.empty()) parsed.frame.address = raw[0];
        if (raw.size() > 1) parsed.frame.cid = raw[1];
        return parsed;
    }
    const std::size_t body_end = raw.size() - 2;
    parsed.frame.address = raw[0];
    parsed.frame.cid = raw[1];
    parsed.frame.data.assign(raw.begin() + 2, raw.begin() + static_cast<std::ptrdiff_t>(body_end));
    parsed.crc_received = static_cast<std::uint16_t>((raw[body_end] << 8) | raw[body_end + 1]);
    parsed.crc_computed = crc16_xmodem(std::span(raw).first(body_end));
    // Residue over body + received CRC is zero exactly when the two agree; comparing the
    // values directly is the same check and also gives both numbers for error messages.
    if (parsed.crc_computed != parsed.crc_received) parsed.error = FrameError::bad_crc;
    return parsed;
}

}  // namespace

bool needs_stuffing(std::uint8_t b) { return b == 0x06 || b == 0x0D || b == 0x1B || b == 0x40 || b == 0x80; }

void stuff_into(std::span<const std::uint8_t> raw, std::vector<std::uint8_t>& out) {
    for (std::uint8_t b : raw) {
        if (needs_stuffing(b)) {
            out.push_back(escape_byte);
            out.push_back(static_cast<std::uint8_t>(b ^ 0xFF));
        } else {
            out.push_back(b);
        }
    }
}

std::vector<std::uint8_t> stuff(std::span<const std::uint8_t> raw) {
    std::vector<std::uint8_t> out;
    out.reserve(raw.size() * 2);
    stuff_into(raw, out);
    return out;
}

UnstuffError unstuff_into(std::span<const std::uint8_t> stuffed, std::vector<std::uint8_t>& out) {
    for (std::size_t i = 0; i < stuffed.size(); ++i) {
        if (stuffed[i] != escape_byte) {
            out.push_back(stuffed[i]);
            continue;
        }
        if (i + 1 >= stuffed.size()) return UnstuffError::dangling_escape;
        const auto b = static_cast<std::uint8_t>(stuffed[++i] ^ 0xFF);
        if (!needs_stuffing(b)) return UnstuffError::invalid_escape;
        out.push_back(b);
    }
    return UnstuffError::none;
}

std::vector<std::uint8_t> encode_frame(const Frame& frame) {
    std::vector<std::uint8_t> raw;
    raw.reserve(frame.data.size() + 4);
    raw.push_back(frame.address);
    raw.push_back(frame.cid);
    raw.insert(raw.end(), frame.data.begin(), frame.data.end());
    const std::uint16_t crc = crc16_xmodem(raw);
    raw.push_back(static_cast<std::uint8_t>(crc >> 8));
    raw.push_back(static_cast<std::uint8_t>(crc & 0xFF));

    std::vector<std::uint8_t> wire;
    wire.reserve(raw.size() * 2 + 2);
    wire.push_back(frame.direction == Direction::request ? start_request : start_response);
    stuff_into(raw, wire);
    wire.push_back(stop_byte);
    return wire;
}

const char* frame_error_name(FrameError e) {
    switch (e) {
        case FrameError::none:
            return "none";
        case FrameError::bad_crc:
            return "bad_crc";
        case FrameError::too_short:
            return "too_short";
        case FrameError::truncated_escape:
            return "truncated_escape";
        case FrameError::invalid_escape:
            return "invalid_escape";
    }
    return "unknown";
}

std::optional<ParsedFrame> parse_frame(std::span<const std::uint8_t> wire) {
    if (wire.size() < 2 || wire.back() != stop_byte) return std::nullopt;
    Direction direction;
    if (wire.front() == start_request)
        direction = Direction::request;
    else if (wire.front() == start_response)
        direction = Direction::response;
    else
        return std::nullopt;
    const auto inner = wire.subspan(1, wire.size() - 2);
    // Start and stop bytes are always escaped inside a frame; a raw one means this is not
    // one frame but several, or garbage.
    for (std::uint8_t b : inner)
        if (b == start_request || b == start_response || b == stop_byte) return std::nullopt;
    return parse_stuffed_body(direction, inner);
}

std::size_t FrameReceiver::feed(std::span<const std::uint8_t> bytes, Event& event) {
    event = Event::none;
    std::size_t used = 0;
    while (used < bytes.size()) {
        const std::uint8_t b = bytes[used++];
        if (!in_frame_) {
            if (b == start_response) {
                in_frame_ = true;
                body_.clear();
            } else if (b == ack_byte && accept_ack_) {
                event = Event::ack;
                return used;
            } else {
                ++discarded_;
            }
            continue;
        }
        if (b == start_response) {
            // A raw start byte cannot occur inside a frame: the frame so far was noise.
            discarded_ += body_.size() + 1;
            body_.clear();
            continue;
        }
        if (b == stop_byte) {
            in_frame_ = false;
            result_ = parse_stuffed_body(Direction::response, body_);
            body_.clear();
            event = Event::frame;
            return used;
        }
        if (body_.size() >= max_stuffed_body) {
            discarded_ += body_.size() + 2;  // the start byte and this byte too
            body_.clear();
            in_frame_ = false;
            continue;
        }
        body_.push_back(b);
    }
    return used;
}

void FrameReceiver::reset() {
    in_frame_ = false;
    body_.clear();
    result_ = ParsedFrame{};
    discarded_ = 0;
}

std::string to_hex(std::span<const std::uint8_t> bytes) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 3);
    for (std::uint8_t b : bytes) {
        if (!out.empty()) out.push_back(' ');
        out.push_back(digits[b >> 4]);
        out.push_back(digits[b & 0x0F]);
    }
    return out;
}

}  // namespace kamgw::kmp
