// Text in, JSON Lines out: the decoding behind `kamgw decode`, kept free of I/O so that it
// can be tested without the command line.
//
// Input is KMP frames as hex: one frame or several per line ("80 3f 01 05 8a 0d", "803F0105
// 8A0D", "0x80 0x3f …"), or the reference integration's debug log, where a request is one
// `Write: 80 3f …` line and a response arrives as one `Read: 40` line per byte. Consecutive
// Read lines are joined until a frame ends. Output is one JSON object per frame, ACK or
// piece of input that is not a frame.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/kmp/frame.hpp"

namespace kamgw::kmp {

struct DecodeTextOptions {
    // When set, a frame for another destination address is reported as an error.
    std::optional<std::uint8_t> expected_address;
};

class TextDecoder {
public:
    explicit TextDecoder(DecodeTextOptions options = {}) : options_(options) {}

    // One line of text (stdin, a log file). JSON lines for whatever completed are appended.
    void feed_line(std::string_view line, std::vector<std::string>& out);
    // One command-line argument: hex only, decoded on its own.
    void feed_hex_argument(std::string_view hex, std::vector<std::string>& out);
    // End of input: reports a response still waiting for its stop byte.
    void finish(std::vector<std::string>& out);

    // Whether any frame failed its CRC, did not parse, or any input was not a frame.
    [[nodiscard]] bool any_bad() const { return any_bad_; }
    [[nodiscard]] std::size_t frames() const { return frames_; }

private:
    // Splits bytes into frames; `final` ends an unfinished frame as truncated.
    void feed_bytes(std::span<const std::uint8_t> bytes, bool final, std::vector<std::string>& out);
    void flush_noise(std::vector<std::string>& out);
    void emit_frame(std::vector<std::string>& out);
    void emit_error(std::string_view message, std::span<const std::uint8_t> bytes, std::vector<std::string>& out);

    DecodeTextOptions options_;
    std::vector<std::uint8_t> frame_;  // a frame being collected, from its start byte
    std::vector<std::uint8_t> noise_;  // bytes outside any frame
    bool any_bad_ = false;
    std::size_t frames_ = 0;
};

// Hex text to bytes: tokens separated by spaces, tabs or commas, each "3f", "0x3f" or a run
// of pairs ("803f10"). nullopt when anything else is there or there is no byte at all.
std::optional<std::vector<std::uint8_t>> parse_hex(std::string_view text);

// One complete wire frame as a JSON object (no trailing newline).
std::string frame_to_json(std::span<const std::uint8_t> wire, const DecodeTextOptions& options, bool& bad);

// Convenience: a whole text, line by line.
struct DecodedText {
    std::vector<std::string> lines;
    bool any_bad = false;
};
DecodedText decode_text(std::string_view text, const DecodeTextOptions& options = {});

}  // namespace kamgw::kmp
