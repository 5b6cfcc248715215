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

std::optional<std::string> unsafe_folder_on_path(const std::filesystem::path& file, const TrustedIds& trusted) {
    std::error_code ec;
    const std::filesystem::path resolved = std::filesystem::canonical(file, ec);
    if (ec) return "refusing plugin file " + file.string() + ": cannot resolve it: " + ec.message();
    bool own_folder = true;
    for (std::filesystem::path dir = resolved.parent_path();; dir = dir.parent_path()) {
        struct stat st {};
        const bool sticky = ::stat(dir.c_str(), &st) == 0 && (st.st_mode & S_ISVTX) != 0;
        if (!(sticky && !own_folder)) {
            if (auto problem = writable_by_others(dir, "folder", trusted)) {
                if (resolved != file) *problem += " (" + file.string() + " resolves to " + resolved.string() + ")";
                return problem;
            }
        }
        own_folder = false;
        if (dir == dir.root_path() || dir.empty()) break;
    }
    return std::nullopt;
}

}  // namespace kamgw::host
