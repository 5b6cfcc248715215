#include "core/config/meter_url.hpp"

#include <algorithm>
#include <cctype>

namespace kamgw::config {
namespace {

bool fail(std::string* why, std::string text) {
    if (why) *why = std::move(text);
    return false;
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::optional<std::string> percent_decode(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%') {
            if (i + 2 >= s.size()) return std::nullopt;
            const int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
            if (hi < 0 || lo < 0) return std::nullopt;
            out.push_back(static_cast<char>(hi * 16 + lo));
            i += 2;
        } else if (s[i] == '+') {
            out.push_back(' ');
        } else {
            out.push_back(s[i]);
        }
    }
    return out;
}

bool parse_query(std::string_view query, Endpoint& ep, std::string* why) {
    while (!query.empty()) {
        const std::size_t amp = query.find('&');
        const std::string_view pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        if (pair.empty()) continue;
        const std::size_t eq = pair.find('=');
        const auto key = percent_decode(pair.substr(0, eq));
        const auto value = percent_decode(eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1));
        if (!key || !value) return fail(why, "bad percent escape in the URL options");
        if (key->empty()) return fail(why, "an URL option has no name");
        if (ep.query.count(*key)) return fail(why, "URL option '" + *key + "' is given twice");
        // A bare "?flag" means flag=true, as pyserial's URLs have it.
        ep.query[*key] = eq == std::string_view::npos ? "true" : *value;
    }
    return true;
}

bool parse_authority(std::string_view authority, Endpoint& ep, std::string* why) {
    if (const std::size_t at = authority.rfind('@'); at != std::string_view::npos) authority.remove_prefix(at + 1);
    if (authority.empty()) return fail(why, "no host after '" + ep.scheme + "://'");
    std::string_view host = authority, port;
    if (authority.front() == '[') {  // [::1]:2000
        const std::size_t close = authority.find(']');
        if (close == std::string_view::npos) return fail(why, "unclosed '[' in the host");
        host = authority.substr(1, close - 1);
        std::string_view rest = authority.substr(close + 1);
        if (!rest.empty()) {
            if (rest.front() != ':') return fail(why, "expected ':port' after ']'");
            port = rest.substr(1);
        }
    } else if (const std::size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
        host = authority.substr(0, colon);
        port = authority.substr(colon + 1);
        if (port.empty()) return fail(why, "empty port after ':'");
    }
    if (!port.empty()) {
        if (!std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }) || port.size() > 5 ||
            std::stoul(std::string(port)) == 0 || std::stoul(std::string(port)) > 65535)
            return fail(why, "port '" + std::string(port) + "' is not a number from 1 to 65535");
    }
    if (host.empty()) return fail(why, "empty host");
    ep.host = std::string(host);
    ep.port = std::string(port);
    return true;
}

}  // namespace

std::optional<Endpoint> parse_endpoint(std::string_view url, std::string* why) {
    Endpoint ep;
    ep.url = std::string(url);
    if (url.empty()) {
        fail(why, "empty URL");
        return std::nullopt;
    }
    std::string_view rest = url;
    std::string_view query;
    if (const std::size_t q = rest.find('?'); q != std::string_view::npos) {
        query = rest.substr(q + 1);
        rest = rest.substr(0, q);
    }
    if (rest.front() == '/') {
        ep.scheme = "serial";
        ep.path = std::string(rest);
    } else {
        const std::size_t sep = rest.find("://");
        if (sep == std::string_view::npos || sep == 0) {
            fail(why, "'" + redact_url(url) + "' is neither a device path nor scheme://…");
            return std::nullopt;
        }
        std::string scheme(rest.substr(0, sep));
        for (char& c : scheme) {
            if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '.') {
                fail(why, "bad character in URL scheme '" + scheme + "'");
                return std::nullopt;
            }
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
        ep.scheme = std::move(scheme);
        std::string_view after = rest.substr(sep + 3);
        const std::size_t slash = after.find('/');
        const std::string_view authority = after.substr(0, slash);
        if (slash != std::string_view::npos) ep.path = std::string(after.substr(slash));
        if (ep.scheme == "serial") {
            if (!authority.empty() || ep.path.empty()) {
                fail(why, "a serial URL is a device path, e.g. \"serial:///dev/ttyUSB0\"");
                return std::nullopt;
            }
        } else if (!parse_authority(authority, ep, why)) {
            return std::nullopt;
        }
    }
    if (!parse_query(query, ep, why)) return std::nullopt;
    return ep;
}

std::string redact_url(std::string_view url) {
    const std::size_t sep = url.find("://");
    if (sep == std::string_view::npos) return std::string(url);
    const std::size_t start = sep + 3;
    const std::size_t end = url.find_first_of("/?#", start);
    const std::string_view authority = url.substr(start, end == std::string_view::npos ? url.npos : end - start);
    const std::size_t at = authority.rfind('@');
    if (at == std::string_view::npos) return std::string(url);
    std::string out(url.substr(0, start));
    out += url.substr(start + at + 1);
    return out;
}

std::string default_line_group(const Endpoint& endpoint) {
    // Each simulated meter is a device of its own (its "host" only names the model): two of
    // them take no turns, and a silent one does not hold up the other.
    if (endpoint.scheme == "sim") return endpoint.url;
    if (!endpoint.host.empty()) {
        std::string group = endpoint.host;
        if (!endpoint.port.empty()) group += ":" + endpoint.port;
        return group;
    }
    return endpoint.path;
}

}  // namespace kamgw::config
