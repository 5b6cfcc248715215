// Fuzz body for `kamgw decode`'s text input: pasted hex, debug logs with Write:/Read: lines,
// or anything else a user might pipe in. Every output line must be one JSON object.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "core/kmp/decode_text.hpp"

namespace {

void check(bool condition) {
    if (!condition) std::abort();
}

void check_lines(const std::vector<std::string>& out) {
    for (const std::string& line : out) check(!line.empty() && line.front() == '{' && line.back() == '}');
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    // As stdin: line by line, the way `kamgw decode -` reads.
    kamgw::kmp::TextDecoder lines;
    std::vector<std::string> out;
    for (std::size_t start = 0; start <= text.size();) {
        const std::size_t end = std::min(text.find('\n', start), text.size());
        lines.feed_line(text.substr(start, end - start), out);
        start = end + 1;
    }
    lines.finish(out);
    check_lines(out);

    // As one command-line argument, with an expected address taken from the first byte.
    kamgw::kmp::DecodeTextOptions options;
    if (size > 0) options.expected_address = data[0];
    kamgw::kmp::TextDecoder argument(options);
    std::vector<std::string> out2;
    argument.feed_hex_argument(text, out2);
    argument.finish(out2);
    check_lines(out2);

    if (const auto bytes = kamgw::kmp::parse_hex(text)) check(!bytes->empty());
    return 0;
}
