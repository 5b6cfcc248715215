// Whether a given user could open a path, computed from the passwd and group entries and the
// mode bits of every folder on the way, without switching to that user: `kamgw check` runs as
// root for a service that runs as `_kamgw`, and root can read everything.
//
// Only the classic permission bits are looked at; ACLs, capabilities and the unit's sandbox
// (ProtectSystem=, ReadWritePaths=) are not.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace kamgw::app {

struct ServiceIdentity {
    std::string name;
    uid_t uid = 0;
    gid_t gid = 0;
    std::vector<gid_t> groups;  // supplementary groups, including gid

    // nullopt when no such user exists.
    static std::optional<ServiceIdentity> from_name(const std::string& name);
    static ServiceIdentity of_this_process();
    [[nodiscard]] bool in_group(gid_t group) const;
};

// The packaged service user.
inline constexpr std::string_view packaged_service_user = "_kamgw";

enum class Need { read, write };

// nullopt when `who` may read (or write) the existing file or folder `path`; otherwise a
// sentence naming the first component that stands in the way and how to fix it.
std::optional<std::string> access_problem(const std::filesystem::path& path, const ServiceIdentity& who, Need need);

// nullopt when `who` may create `path` (a file or folder that does not exist yet), i.e. write
// into the nearest folder on its path that exists.
std::optional<std::string> create_problem(const std::filesystem::path& path, const ServiceIdentity& who);

}  // namespace kamgw::app
