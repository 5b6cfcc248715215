// "Did you mean …?" for misspelt keys, register names, sink types and URL schemes.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace kamgw::config {

// Up to `max` candidates close to `word` (small edit distance, or one contains the other),
// closest first.
std::vector<std::string> close_matches(std::string_view word, const std::vector<std::string>& candidates,
                                       std::size_t max = 3);

// "a, b, c"
std::string join(const std::vector<std::string>& items, std::string_view separator = ", ");

// "'a', 'b' or 'c'"
std::string quoted_alternatives(const std::vector<std::string>& items);

}  // namespace kamgw::config
