// The file-descriptor limit: every meter's link is an open file, so a large fleet meets the
// soft RLIMIT_NOFILE (1024 on most systems) long before the kernel's own limit.
#pragma once

#include <cstdint>
#include <string>

#include "core/config/config.hpp"

namespace spdlog {
class logger;
}

namespace kamgw::app {

struct FdLimit {
    std::uint64_t soft = 0;  // in force now
    std::uint64_t hard = 0;  // the most the soft limit can be raised to without privileges
    bool raised = false;     // raise_fd_limit() changed the soft limit
    std::string error;       // why it could not be raised
};

// Raises the soft limit to the hard one. Select-based code would break above 1024 fds; the
// daemon uses epoll only, so the whole hard limit is usable.
FdLimit raise_fd_limit();

// The limit as it is (nothing changed).
FdLimit current_fd_limit();

// File descriptors a configuration needs: a few for the process itself, two per meter (its
// link, and a lock or resolver socket while connecting) and a handful per sink (connections,
// journal and cursor files). An estimate for warnings, not a bound.
std::uint64_t fds_needed(std::size_t meters, std::size_t sinks);

// At daemon start: raises the limit and warns when `cfg` needs more than it allows.
void raise_fd_limit_for(const config::Config& cfg, spdlog::logger& log);

}  // namespace kamgw::app
