#include "core/host/plugin_permissions.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace kamgw::host {

TrustedIds TrustedIds::of_this_process() { return {::geteuid(), ::getegid()}; }

std::optional<std::string> writable_by_others(const std::filesystem::path& path, std::string_view what,
                                              const TrustedIds& trusted) {
    const std::string prefix = "refusing plugin " + std::string(what) + " " + path.string() + ": ";
    const std::string consequence = " (others could run code as kamgw); ";
    struct stat st {};
    // stat() follows symlinks: what matters is who can change the code that gets mapped.
    if (::stat(path.c_str(), &st) != 0) return prefix + "cannot examine it: " + std::strerror(errno);
    if (st.st_uid != 0 && st.st_uid != trusted.uid)
        return prefix + "owned by uid " + std::to_string(st.st_uid) +
               ", which is neither root nor the user kamgw runs as (uid " + std::to_string(trusted.uid) + ")" +
               consequence + "fix with chown root " + path.string();
    if (st.st_mode & S_IWOTH)
        return prefix + "writable by everyone" + consequence + "fix with chmod go-w " + path.string();
    if ((st.st_mode & S_IWGRP) && st.st_gid != 0 && st.st_gid != trusted.gid)
        return prefix + "writable by group " + std::to_string(st.st_gid) + consequence + "fix with chmod go-w " +
               path.string();
    return std::nullopt;
}

}  // namespace kamgw::host
