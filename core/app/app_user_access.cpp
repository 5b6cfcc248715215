#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include "core/app/user_access.hpp"

namespace kamgw::app {
namespace {

namespace fs = std::filesystem;

constexpr unsigned read_bit = 4, write_bit = 2, search_bit = 1;

bool permits(const struct stat& st, const ServiceIdentity& who, unsigned wanted) {
    if (who.uid == 0) return true;
    unsigned bits = st.st_mode & 7;
    if (st.st_uid == who.uid)
        bits = (st.st_mode >> 6) & 7;
    else if (who.in_group(st.st_gid))
        bits = (st.st_mode >> 3) & 7;
    return (bits & wanted) == wanted;
}

std::string user_name(uid_t uid) {
    if (const passwd* pw = ::getpwuid(uid)) return pw->pw_name;
    return std::to_string(uid);
}

std::string group_name(gid_t gid) {
    if (const group* gr = ::getgrgid(gid)) return gr->gr_name;
    return std::to_string(gid);
}

std::string owner_text(const struct stat& st) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return std::string("mode ") + mode + ", owner " + user_name(st.st_uid) + ", group " + group_name(st.st_gid);
}

std::string refusal(const fs::path& path, const struct stat& st, const ServiceIdentity& who, std::string_view what,
                    std::string_view fix_bits) {
    return "'" + path.string() + "' " + std::string(what) + " by the user " + who.name + " (" + owner_text(st) +
           "); fix with: chgrp " + group_name(who.gid) + " " + path.string() + " && chmod " + std::string(fix_bits) +
           " " + path.string();
}

// Every folder a lookup of `path` passes through, outermost first, for the path as written and
// for where its links lead (both must be searchable).
std::vector<fs::path> folders_on_the_way(const fs::path& path) {
    std::vector<fs::path> out;
    std::error_code ec;
    const fs::path written = fs::absolute(path, ec).lexically_normal();
    const fs::path resolved = fs::weakly_canonical(written, ec);
    for (const fs::path& p : {written, resolved}) {
        fs::path prefix;
        for (auto it = p.begin(); it != p.end(); ++it) {
            if (std::next(it) == p.end()) break;
            prefix /= *it;
            if (std::find(out.begin(), out.end(), prefix) == out.end()) out.push_back(prefix);
        }
    }
    return out;
}

std::optional<std::string> search_problem(const fs::path& path, const ServiceIdentity& who) {
    for (const fs::path& folder : folders_on_the_way(path)) {
        struct stat st {};
        if (::stat(folder.c_str(), &st) != 0) break;  // reported by the caller for the path itself
        if (!permits(st, who, search_bit)) return refusal(folder, st, who, "cannot be entered", "g+x");
    }
    return std::nullopt;
}

}  // namespace

std::optional<ServiceIdentity> ServiceIdentity::from_name(const std::string& name) {
    const passwd* pw = ::getpwnam(name.c_str());
    if (!pw) return std::nullopt;
    ServiceIdentity id{pw->pw_name, pw->pw_uid, pw->pw_gid, {}};
    int count = 32;
    std::vector<gid_t> groups(static_cast<std::size_t>(count));
    while (::getgrouplist(id.name.c_str(), id.gid, groups.data(), &count) < 0) {
        groups.resize(static_cast<std::size_t>(count) * 2);
        count = static_cast<int>(groups.size());
    }
    groups.resize(static_cast<std::size_t>(count));
    id.groups = std::move(groups);
    return id;
}

ServiceIdentity ServiceIdentity::of_this_process() {
    ServiceIdentity id{user_name(::geteuid()), ::geteuid(), ::getegid(), {}};
    const int count = ::getgroups(0, nullptr);
    if (count > 0) {
        id.groups.resize(static_cast<std::size_t>(count));
        id.groups.resize(static_cast<std::size_t>(std::max(0, ::getgroups(count, id.groups.data()))));
    }
    id.groups.push_back(id.gid);
    return id;
}

bool ServiceIdentity::in_group(gid_t group) const {
    return group == gid || std::find(groups.begin(), groups.end(), group) != groups.end();
}

std::optional<std::string> access_problem(const fs::path& path, const ServiceIdentity& who, Need need) {
    if (auto problem = search_problem(path, who)) return problem;
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return "'" + path.string() + "' cannot be examined";
    const bool folder = S_ISDIR(st.st_mode);
    // Reading a folder's entries needs r and x; creating files in it needs w and x.
    unsigned wanted = need == Need::read ? read_bit : write_bit;
    if (folder) wanted |= search_bit;
    if (permits(st, who, wanted)) return std::nullopt;
    if (need == Need::read) return refusal(path, st, who, "cannot be read", folder ? "g+rx" : "g+r");
    return refusal(path, st, who, "cannot be written", folder ? "g+rwx" : "g+rw");
}

std::optional<std::string> create_problem(const fs::path& path, const ServiceIdentity& who) {
    std::error_code ec;
    fs::path existing = fs::absolute(path, ec).lexically_normal();
    while (!existing.empty() && existing != existing.root_path() && !fs::exists(existing, ec))
        existing = existing.parent_path();
    if (!fs::is_directory(existing, ec))
        return "'" + existing.string() + "' is not a folder, so '" + path.string() + "' cannot be created in it";
    return access_problem(existing, who, Need::write);
}

}  // namespace kamgw::app
