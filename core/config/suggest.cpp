#include "core/config/suggest.hpp"

#include <algorithm>
#include <cctype>

namespace kamgw::config {
namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

// Optimal string alignment distance: a swap of two neighbours ("inetrval") counts as one edit,
// which is the most common typo in hand-written keys.
std::size_t edit_distance(std::string_view a, std::string_view b) {
    const std::size_t n = a.size(), m = b.size();
    std::vector<std::vector<std::size_t>> d(n + 1, std::vector<std::size_t>(m + 1));
    for (std::size_t i = 0; i <= n; ++i) d[i][0] = i;
    for (std::size_t j = 0; j <= m; ++j) d[0][j] = j;
    for (std::size_t i = 1; i <= n; ++i) {
        for (std::size_t j = 1; j <= m; ++j) {
            const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
        }
    }
    return d[n][m];
}

}  // namespace

std::vector<std::string> close_matches(std::string_view word, const std::vector<std::string>& candidates,
                                       std::size_t max) {
    const std::string w = lower(word);
    const std::size_t limit = std::max<std::size_t>(2, w.size() / 3);
    std::vector<std::pair<std::size_t, std::string>> scored;
    for (const std::string& candidate : candidates) {
        const std::string c = lower(candidate);
        std::size_t score = edit_distance(w, c);
        // A long shared prefix catches other endings of the same word ("retry" / "retries").
        std::size_t prefix = 0;
        while (prefix < w.size() && prefix < c.size() && w[prefix] == c[prefix]) ++prefix;
        const bool shares_stem = prefix >= 3 && prefix * 3 >= std::min(w.size(), c.size()) * 2;
        const bool contains =
            shares_stem || (w.size() >= 3 && (c.find(w) != std::string::npos || w.find(c) != std::string::npos));
        if (score > limit && !contains) continue;
        if (contains) score = std::min(score, limit);
        scored.emplace_back(score, candidate);
    }
    std::stable_sort(scored.begin(), scored.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<std::string> out;
    for (auto& [score, candidate] : scored) {
        if (out.size() == max) break;
        if (std::find(out.begin(), out.end(), candidate) == out.end()) out.push_back(std::move(candidate));
    }
    return out;
}

std::string join(const std::vector<std::string>& items, std::string_view separator) {
    std::string out;
    for (const std::string& item : items) {
        if (!out.empty()) out += separator;
        out += item;
    }
    return out;
}

std::string quoted_alternatives(const std::vector<std::string>& items) {
    std::string out;
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i > 0) out += i + 1 == items.size() ? " or " : ", ";
        out += "'" + items[i] + "'";
    }
    return out;
}

}  // namespace kamgw::config
