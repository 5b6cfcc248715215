// Fuzz body for the rfc2217 transport's telnet codec: whatever a (hostile) RFC 2217 server
// sends, split anywhere. Checks besides "no crash": data never exceeds what came in,
// subnegotiations stay bounded, the negotiation never answers more than a few bytes per
// input byte (no loops), and escaped data passes through a fresh codec unchanged.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "plugins/transport-rfc2217/telnet_codec.hpp"

namespace {

using kamgw::rfc2217::TelnetCodec;

void check(bool condition) {
    if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const std::uint8_t> bytes(data, size);
    TelnetCodec codec;
    (void)codec.start();
    std::vector<std::uint8_t> received;
    std::size_t answered = 0, pos = 0, piece = 1;
    while (pos < size) {
        const auto chunk = bytes.subspan(pos, std::min(piece, size - pos));
        codec.feed(chunk, received);
        answered += codec.take_answers().size();
        for (const auto& event : codec.take_events()) {
            check(event.value.size() <= TelnetCodec::max_subnegotiation);
            (void)event.number();
            (void)kamgw::rfc2217::comport_command_name(event.command);
        }
        pos += chunk.size();
        piece = piece % 5 + 1;
    }
    check(received.size() <= size);
    check(answered <= 3 * size + 3);

    // Data the client sends, escaped, reads back unchanged on the other side.
    const std::vector<std::uint8_t> escaped = TelnetCodec::escape(bytes);
    TelnetCodec peer;
    std::vector<std::uint8_t> back;
    peer.feed(escaped, back);
    check(back.size() == size && std::equal(back.begin(), back.end(), bytes.begin()));

    // The server's line confirmations against the line KMP wants.
    kamgw::LineSettings line;
    kamgw::rfc2217::LineConfirmation confirmation(line);
    TelnetCodec events;
    std::vector<std::uint8_t> ignored;
    events.feed(bytes, ignored);
    for (const auto& event : events.take_events()) (void)confirmation.accept(event);
    (void)confirmation.missing();
    return 0;
}
