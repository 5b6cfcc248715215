#include <toml++/toml.h>

#include "core/app/plugin_loading.hpp"
#include "core/config/bounded_file.hpp"
#include "core/host/plugin_dirs.hpp"

namespace kamgw::app {

std::vector<std::filesystem::path> peek_plugin_dirs(const std::filesystem::path& config_file) {
    std::vector<std::filesystem::path> dirs;
    // The same bounded read as the full load: a hostile path must not hang the start here.
    const config::FileText text = config::read_bounded_file(config_file, config::config_file_limit, "configuration");
    if (!text.ok()) return dirs;
    try {
        const toml::table doc = toml::parse(text.text, config_file.string());
        if (const auto* list = doc["gateway"]["plugin_dirs"].as_array()) {
            for (const auto& item : *list)
                if (auto s = item.value<std::string>()) dirs.emplace_back(*s);
        }
    } catch (const std::exception&) {
        // Reported with file:line:column by the full configuration load.
    }
    return dirs;
}

std::unique_ptr<host::PluginRegistry> load_plugins(const std::filesystem::path& config_file,
                                                   const std::vector<std::filesystem::path>& extra_dirs) {
    auto registry = std::make_unique<host::PluginRegistry>();
    std::vector<std::filesystem::path> dirs = extra_dirs;
    auto configured = peek_plugin_dirs(config_file);
    if (configured.empty()) configured = host::default_plugin_dirs();
    dirs.insert(dirs.end(), configured.begin(), configured.end());
    registry->load_dirs(dirs);
    return registry;
}

}  // namespace kamgw::app
