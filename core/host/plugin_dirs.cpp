#include "core/host/plugin_dirs.hpp"

#include <system_error>

#include "core/base/paths.hpp"

namespace kamgw::host {

std::vector<std::filesystem::path> default_plugin_dirs_for(const std::filesystem::path& executable) {
    const std::filesystem::path bin = executable.parent_path();
    if (bin.filename() == "bin") {
        const std::filesystem::path build = bin.parent_path();
        std::error_code ec;
        if (std::filesystem::is_regular_file(build / "CMakeCache.txt", ec)) return {build / "plugins"};
    }
    return {std::filesystem::path(kamgw::base::installed_plugin_dir)};
}

std::vector<std::filesystem::path> default_plugin_dirs() {
    std::error_code ec;
    const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (ec) return {std::filesystem::path(kamgw::base::installed_plugin_dir)};
    return default_plugin_dirs_for(self);
}

}  // namespace kamgw::host
