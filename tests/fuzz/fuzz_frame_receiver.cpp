// Fuzz body for the receive path: whatever bytes a meter, an IR head or a TCP bridge might
// produce go through FrameReceiver and every parser a session or `kamgw decode` runs on a
// frame. Besides "no crash, no sanitizer report" it checks that an accepted frame encodes
// back to a frame that parses to the same thing.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string_view>

#include "core/kmp/commands.hpp"
#include "core/kmp/decode_text.hpp"
#include "core/kmp/frame.hpp"

namespace {

using namespace kamgw::kmp;

void check(bool condition) {
    if (!condition) std::abort();
}

void exercise_parsers(const Frame& f) {
    const auto registers = parse_get_register(f);
    for (const auto& v : registers.values) check(v.nob <= 8);
    (void)parse_get_register_request(f);
    (void)parse_get_type(f);
    (void)parse_get_serial(f);
    (void)parse_set_clock(f);
    (void)parse_put_register(f);
    (void)parse_event_status(f);
    (void)parse_clear_event_status(f);
    (void)parse_log_request(f);
    (void)parse_log_response(f);

    // An accepted frame survives a trip through the encoder.
    const auto again = parse_frame(encode_frame(f));
    check(again && again->error == FrameError::none);
    check(again->frame.address == f.address && again->frame.cid == f.cid && again->frame.data == f.data);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const std::uint8_t> bytes(data, size);

    // The receiver, fed in uneven pieces as a serial port would deliver them.
    FrameReceiver rx(size > 0 && (data[0] & 1));
    std::size_t pos = 0, piece = 1;
    while (pos < size) {
        auto chunk = bytes.subspan(pos, std::min(piece, size - pos));
        while (!chunk.empty()) {
            FrameReceiver::Event event;
            const std::size_t used = rx.feed(chunk, event);
            check(used > 0 && used <= chunk.size());
            chunk = chunk.subspan(used);
            pos += used;
            if (event == FrameReceiver::Event::frame && rx.result().error == FrameError::none)
                exercise_parsers(rx.result().frame);
        }
        piece = piece % 7 + 1;
    }

    // The same bytes as one wire frame, and as text for `kamgw decode`.
    if (const auto parsed = parse_frame(bytes); parsed && parsed->error == FrameError::none)
        exercise_parsers(parsed->frame);
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto decoded = decode_text(text);
    for (const auto& line : decoded.lines) check(!line.empty() && line.front() == '{' && line.back() == '}');
    return 0;
}
