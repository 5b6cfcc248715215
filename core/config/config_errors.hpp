// Configuration problems, collected rather than thrown one at a time: a user who runs
// `kamgw check` should see every mistake in the file at once, each with file, line, column,
// the key, what is wrong and what would be accepted.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "core/config/config.hpp"

namespace kamgw::config {

struct ConfigIssue {
    SourcePosition where;
    std::string key;       // "meter[0].interval"; empty for problems that concern no key (syntax)
    std::string message;   // what is wrong; never contains a secret value
    std::string accepted;  // what would be accepted; may be empty
};

// "FILE:LINE:COLUMN: key 'meter[0].interval': must be at least 1s; accepted: a duration …"
std::string render_issue(const ConfigIssue& issue);

// One issue per line, in the order given.
std::string render_issues(const std::vector<ConfigIssue>& issues);

class ConfigErrors : public std::runtime_error {
public:
    explicit ConfigErrors(std::vector<ConfigIssue> issues);
    [[nodiscard]] const std::vector<ConfigIssue>& issues() const { return issues_; }

private:
    std::vector<ConfigIssue> issues_;
};

}  // namespace kamgw::config
