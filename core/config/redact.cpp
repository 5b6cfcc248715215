#include "core/config/redact.hpp"

#include <algorithm>
#include <mutex>
#include <set>
#include <vector>

namespace kamgw::config {
namespace {

constexpr std::size_t shortest_secret = 4;
constexpr std::string_view mask = "***";

struct Secrets {
    std::mutex mutex;
    std::set<std::string, std::less<>> values;
};

Secrets& secrets() {
    static Secrets s;
    return s;
}

// Where the authority of the URL whose "://" ends at `start` ends: at a path, query or
// fragment, or at text that cannot be part of a URL in a sentence.
std::size_t authority_end(std::string_view text, std::size_t start) {
    const std::size_t end = text.find_first_of("/?# \t\r\n\"'<>()[]{},;", start);
    return end == std::string_view::npos ? text.size() : end;
}

std::string strip_userinfo(std::string_view text) {
    std::string out;
    std::size_t done = 0;
    for (std::size_t sep = text.find("://"); sep != std::string_view::npos; sep = text.find("://", sep + 3)) {
        const std::size_t start = sep + 3;
        // An IPv6 host ("[::1]") stops the scan, but the userinfo comes before it anyway.
        const std::size_t end = authority_end(text, start);
        const std::size_t at = text.substr(start, end - start).rfind('@');
        if (at == std::string_view::npos) continue;
        out.append(text.substr(done, start - done));
        done = start + at + 1;
    }
    out.append(text.substr(done));
    return out;
}

}  // namespace

std::string redact_text(std::string_view text) {
    std::string out = strip_userinfo(text);
    Secrets& s = secrets();
    std::lock_guard lock(s.mutex);
    // Longest first, so a secret that contains another is masked whole.
    std::vector<const std::string*> by_length;
    for (const std::string& v : s.values) by_length.push_back(&v);
    std::sort(by_length.begin(), by_length.end(), [](auto a, auto b) { return a->size() > b->size(); });
    for (const std::string* value : by_length) {
        for (std::size_t at = out.find(*value); at != std::string::npos; at = out.find(*value, at + mask.size()))
            out.replace(at, value->size(), mask);
    }
    return out;
}

void remember_secret(std::string_view value) {
    if (value.size() < shortest_secret) return;
    Secrets& s = secrets();
    std::lock_guard lock(s.mutex);
    s.values.emplace(value);
}

std::string url_credential(std::string_view url) {
    const std::size_t sep = url.find("://");
    if (sep == std::string_view::npos) return {};
    const std::size_t start = sep + 3;
    const std::string_view authority = url.substr(start, authority_end(url, start) - start);
    const std::size_t at = authority.rfind('@');
    if (at == std::string_view::npos) return {};
    const std::string_view userinfo = authority.substr(0, at);
    const std::size_t colon = userinfo.find(':');
    return std::string(colon == std::string_view::npos ? userinfo : userinfo.substr(colon + 1));
}

}  // namespace kamgw::config
