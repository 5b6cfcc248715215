#include "plugins/transport-tcp/host_port.hpp"

#include <charconv>
#include <system_error>

namespace kamgw::transport {
namespace {

[[noreturn]] void bad_url(std::string_view url, std::string_view why) {
    throw std::system_error(std::make_error_code(std::errc::invalid_argument),
                            "meter URL '" + std::string(url) + "' " + std::string(why) +
                                "; write it as scheme://HOST:PORT, e.g. socket://192.168.1.10:20019");
}

bool valid_port(std::string_view port) {
    unsigned value = 0;
    const auto* end = port.data() + port.size();
    auto [ptr, ec] = std::from_chars(port.data(), end, value);
    return !port.empty() && ec == std::errc() && ptr == end && value >= 1 && value <= 65535;
}

void split_query(std::string_view query, std::map<std::string, std::string>& out) {
    while (!query.empty()) {
        const auto amp = query.find('&');
        std::string_view item = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        if (item.empty()) continue;
        const auto eq = item.find('=');
        if (eq == std::string_view::npos) {
            out[std::string(item)] = "true";  // a bare flag, as in pyserial's "?ign_set_control"
        } else {
            out[std::string(item.substr(0, eq))] = std::string(item.substr(eq + 1));
        }
    }
}

}  // namespace

std::string HostPort::to_string() const {
    if (host.find(':') != std::string::npos) return "[" + host + "]:" + port;
    return host + ":" + port;
}

Endpoint parse_network_url(std::string_view url) {
    Endpoint ep;
    ep.url = std::string(url);
    const auto sep = url.find("://");
    if (sep == std::string_view::npos || sep == 0) bad_url(url, "has no scheme");
    ep.scheme = std::string(url.substr(0, sep));
    std::string_view rest = url.substr(sep + 3);
    if (const auto q = rest.find('?'); q != std::string_view::npos) {
        split_query(rest.substr(q + 1), ep.query);
        rest = rest.substr(0, q);
    }
    if (const auto slash = rest.find('/'); slash != std::string_view::npos) {
        ep.path = std::string(rest.substr(slash));
        rest = rest.substr(0, slash);
    }
    if (!rest.empty() && rest.front() == '[') {
        const auto close = rest.find(']');
        if (close == std::string_view::npos) bad_url(url, "has an unclosed '[' around an IPv6 address");
        ep.host = std::string(rest.substr(1, close - 1));
        rest = rest.substr(close + 1);
        if (!rest.empty() && rest.front() == ':')
            ep.port = std::string(rest.substr(1));
        else if (!rest.empty())
            bad_url(url, "has text after the IPv6 address");
    } else {
        const auto colon = rest.rfind(':');
        if (colon == std::string_view::npos) {
            ep.host = std::string(rest);
        } else {
            ep.host = std::string(rest.substr(0, colon));
            ep.port = std::string(rest.substr(colon + 1));
        }
    }
    return ep;
}

HostPort host_port_of(const Endpoint& endpoint) {
    HostPort hp{endpoint.host, endpoint.port};
    if (hp.host.empty() && hp.port.empty() && !endpoint.url.empty()) {
        const Endpoint parsed = parse_network_url(endpoint.url);
        hp = {parsed.host, parsed.port};
    }
    if (hp.host.size() > 2 && hp.host.front() == '[' && hp.host.back() == ']') {
        hp.host = hp.host.substr(1, hp.host.size() - 2);
    }
    const std::string url = endpoint.url.empty() ? hp.host + ":" + hp.port : endpoint.url;
    if (hp.host.empty()) bad_url(url, "has no host name");
    if (hp.port.empty()) bad_url(url, "has no port (the TCP port of the serial server, e.g. ser2net's accepter)");
    if (!valid_port(hp.port)) bad_url(url, "has port '" + hp.port + "', which is not a number from 1 to 65535");
    return hp;
}

}  // namespace kamgw::transport
