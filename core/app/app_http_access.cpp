#include <boost/beast/core/detail/base64.hpp>

#include "core/app/http_access.hpp"

namespace kamgw::app {
namespace {

// Compares in time that depends on the lengths only, so the token cannot be guessed a
// character at a time by timing the answers.
bool same_secret(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    unsigned char diff = 0;
    for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    return diff == 0;
}

bool starts_with_word(std::string_view text, std::string_view scheme) {
    if (text.size() <= scheme.size() || text[scheme.size()] != ' ') return false;
    for (std::size_t i = 0; i < scheme.size(); ++i)
        if ((text[i] | 0x20) != (scheme[i] | 0x20)) return false;
    return true;
}

std::string_view trimmed(std::string_view text) {
    while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
    while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
    return text;
}

}  // namespace

bool request_authorized(std::string_view authorization, std::string_view token) {
    if (token.empty()) return true;
    if (starts_with_word(authorization, "Bearer")) return same_secret(trimmed(authorization.substr(7)), token);
    if (!starts_with_word(authorization, "Basic")) return false;
    std::string_view encoded = trimmed(authorization.substr(6));
    if (encoded.size() > 4096) return false;
    // The decoder stops at the padding; anything else it stops at makes the header invalid.
    for (int pad = 0; pad < 2 && !encoded.empty() && encoded.back() == '='; ++pad) encoded.remove_suffix(1);
    // decoded_size() counts whole groups of four; the padding taken off leaves a part group.
    std::string decoded(boost::beast::detail::base64::decoded_size(encoded.size() + 3), '\0');
    const auto [written, read] = boost::beast::detail::base64::decode(decoded.data(), encoded.data(), encoded.size());
    if (read != encoded.size()) return false;
    decoded.resize(written);
    const std::size_t colon = decoded.find(':');
    return colon != std::string::npos && same_secret(std::string_view(decoded).substr(colon + 1), token);
}

bool listen_is_loopback(std::string_view listen) {
    std::string_view host = listen.substr(0, listen.rfind(':'));
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    return host == "localhost" || host == "::1" || host.starts_with("127.");
}

}  // namespace kamgw::app
