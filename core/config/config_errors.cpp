#include "core/config/config_errors.hpp"

#include <utility>

namespace kamgw::config {

std::string render_issue(const ConfigIssue& issue) {
    std::string out = issue.where.to_string() + ": ";
    if (!issue.key.empty()) out += "key '" + issue.key + "': ";
    out += issue.message;
    if (!issue.accepted.empty()) out += "; accepted: " + issue.accepted;
    return out;
}

std::string render_issues(const std::vector<ConfigIssue>& issues) {
    std::string out;
    for (const ConfigIssue& issue : issues) {
        if (!out.empty()) out.push_back('\n');
        out += render_issue(issue);
    }
    return out;
}

ConfigErrors::ConfigErrors(std::vector<ConfigIssue> issues)
    : std::runtime_error(render_issues(issues)), issues_(std::move(issues)) {}

}  // namespace kamgw::config
