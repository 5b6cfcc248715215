#include <sys/resource.h>

#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstring>

#include "core/app/fd_limit.hpp"

namespace kamgw::app {
namespace {

std::uint64_t value_of(rlim_t v) { return v == RLIM_INFINITY ? UINT64_MAX : static_cast<std::uint64_t>(v); }

}  // namespace

FdLimit current_fd_limit() {
    FdLimit out;
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) {
        out.error = std::strerror(errno);
        return out;
    }
    out.soft = value_of(limit.rlim_cur);
    out.hard = value_of(limit.rlim_max);
    return out;
}

FdLimit raise_fd_limit() {
    FdLimit out = current_fd_limit();
    if (!out.error.empty() || out.soft >= out.hard) return out;
    rlimit limit{};
    ::getrlimit(RLIMIT_NOFILE, &limit);
    limit.rlim_cur = limit.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &limit) != 0) {
        out.error = std::strerror(errno);
        return out;
    }
    out.soft = out.hard;
    out.raised = true;
    return out;
}

std::uint64_t fds_needed(std::size_t meters, std::size_t sinks) { return 32 + 2 * meters + 8 * sinks; }

void raise_fd_limit_for(const config::Config& cfg, spdlog::logger& log) {
    const FdLimit fds = raise_fd_limit();
    if (!fds.error.empty())
        log.warn("cannot raise the open-file limit above {} ({})", fds.soft, fds.error);
    else if (fds.raised)
        log.debug("open-file limit raised to {}", fds.soft);
    if (const auto needed = fds_needed(cfg.meters.size(), cfg.sinks.size()); needed > fds.soft)
        log.warn(
            "{} meter(s) and {} sink(s) need about {} open files but kamgw may have {}: meters past the limit will "
            "fail with 'too many open files'; raise LimitNOFILE= in kamgw.service",
            cfg.meters.size(), cfg.sinks.size(), needed, fds.soft);
}

}  // namespace kamgw::app
