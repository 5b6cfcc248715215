#include "core/meter/open_failure.hpp"

#include <sys/resource.h>

#include <system_error>

namespace kamgw::meter {

std::optional<std::string> describe_fd_exhaustion(const std::exception& error) {
    const auto* sys = dynamic_cast<const std::system_error*>(&error);
    if (!sys) return std::nullopt;
    const std::error_code code = sys->code();
    const bool process = code == std::errc::too_many_files_open;
    const bool system = code == std::errc::too_many_files_open_in_system;
    if (!process && !system) return std::nullopt;
    std::string text =
        std::string("too many open files (") + (process ? "EMFILE" : "ENFILE") + ": " + sys->what() + ")";
    if (system) return text + "; the whole system is out of file handles (fs.file-max)";
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY)
        text += "; kamgw may have " + std::to_string(limit.rlim_cur) + " files open";
    return text + ": raise LimitNOFILE= in kamgw.service, or serve fewer meters from this gateway";
}

}  // namespace kamgw::meter
