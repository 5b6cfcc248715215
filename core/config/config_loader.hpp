// Loading the daemon's configuration: the main TOML file, then every conf.d/*.toml beside it
// in name order. [gateway] keys of a later file override earlier ones; [[meter]] and [[sink]]
// tables append. Every problem of every file is collected and thrown at once as ConfigErrors.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "core/config/config.hpp"
#include "core/config/config_errors.hpp"
#include "core/config/plugin_schemas.hpp"

namespace kamgw::config {

struct LoadOptions {
    bool read_dropins = true;
    // Drop-in folder; default: "conf.d" beside the main file.
    std::optional<std::filesystem::path> dropin_dir;
    // systemd credentials folder; default: $CREDENTIALS_DIRECTORY (unset: none).
    std::optional<std::filesystem::path> credentials_dir;
    // [gateway] id when the file sets none; empty: the host name.
    std::string default_gateway_id;
};

// Throws ConfigErrors listing every problem found.
Config load_config(const std::filesystem::path& main_file, const PluginSchemas& plugins,
                   const LoadOptions& options = {});

// One document given as text (no drop-ins); `source_name` appears in positions and as the
// only entry of Config::files. Relative `*_file` paths are taken relative to the current folder.
Config load_config_text(std::string_view text, std::string source_name, const PluginSchemas& plugins,
                        const LoadOptions& options = {});

// The drop-in files load_config() reads for this main file, in order.
std::vector<std::filesystem::path> dropin_files(const std::filesystem::path& main_file,
                                                const LoadOptions& options = {});

}  // namespace kamgw::config
