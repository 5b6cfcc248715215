// Who may write a plugin file or folder. Loading a plugin runs its code inside the daemon, so
// anyone who can replace a plugin (or drop a new one into a plugin folder) could run code as
// the daemon's user. The check follows what ssh does for authorized_keys.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>

namespace kamgw::host {

// The identity the checks compare against: the effective user and group of the process.
struct TrustedIds {
    uid_t uid = 0;
    gid_t gid = 0;
    static TrustedIds of_this_process();
};

// nullopt when only root or `trusted.uid` can write `path`; otherwise the whole refusal
// sentence, e.g. "refusing plugin folder /x: writable by group 1000 (others could run code as
// kamgw); fix with chmod g-w /x". `what` is "file" or "folder". A path that cannot be
// examined is refused as well.
std::optional<std::string> writable_by_others(const std::filesystem::path& path, std::string_view what,
                                              const TrustedIds& trusted);

// The same check for every folder on the resolved path of the plugin file `file`, from its
// folder up to "/": whoever may rename any of them may swap the code under a symlink that
// itself sits in a trusted folder. Above the file's own folder, a world-writable folder with
// the sticky bit (/tmp) is accepted: others cannot rename what they do not own in it.
std::optional<std::string> unsafe_folder_on_path(const std::filesystem::path& file, const TrustedIds& trusted);

}  // namespace kamgw::host
