// The plugin host: finds kamgw-sink-*.so and kamgw-transport-*.so files, checks who may write
// them and, from the file before loading it, which ABI they were built for (abi_check.hpp);
// keeps them loaded, and creates sinks and transports.
//
// Lifetime: every loaded library stays mapped until the registry is destroyed. Objects a
// plugin created (sinks, transports, anything they hand out) run code from that library, so
// they must be destroyed before the registry; the daemon therefore creates the registry first
// and destroys it last.
//
// Loading never throws: each refused file becomes a LoadProblem and the other plugins load on,
// so `kamgw check` can show every problem at once.
//
// Threads: load first, on one thread. After that the registry does not change, and its const
// members (lookups and the factories) may be called from any thread.
#pragma once

#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/config/plugin_schemas.hpp"
#include "core/host/abi_check.hpp"
#include "core/host/plugin_permissions.hpp"
#include "kamgw/plugin.hpp"
#include "kamgw/sink.hpp"
#include "kamgw/transport.hpp"

namespace kamgw::host {

// A plugin could not be found, or its factory failed. Never thrown while loading.
class PluginError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct LoadProblem {
    std::filesystem::path path;  // the plugin file or folder
    std::string message;         // one sentence that names the path and says what to do
};

struct LoadedPlugin {
    std::filesystem::path file;
    const PluginDescriptor* descriptor = nullptr;  // lives in the library, valid as long as the registry
};

class PluginRegistry final : public config::PluginSchemas {
public:
    PluginRegistry();
    explicit PluginRegistry(TrustedIds trusted);
    ~PluginRegistry() override;
    PluginRegistry(const PluginRegistry&) = delete;
    PluginRegistry& operator=(const PluginRegistry&) = delete;

    // Loads every kamgw-sink-*.so and kamgw-transport-*.so in each folder, folders in the
    // given order, files in name order. A plugin name or URL scheme that is already taken is
    // refused, so earlier folders take precedence.
    void load_dirs(const std::vector<std::filesystem::path>& dirs);
    void load_dir(const std::filesystem::path& dir);
    // Loads one plugin file; false (and a LoadProblem) if it was refused. The folder's
    // permissions are checked too.
    bool load_file(const std::filesystem::path& file);

    [[nodiscard]] const std::vector<LoadProblem>& problems() const { return problems_; }
    [[nodiscard]] std::vector<LoadedPlugin> plugins() const;  // in load order

    // PluginSchemas
    [[nodiscard]] const PluginDescriptor* sink(std::string_view type) const override;
    [[nodiscard]] const PluginDescriptor* transport_for_scheme(std::string_view scheme) const override;
    [[nodiscard]] std::vector<std::string> sink_types() const override;
    [[nodiscard]] std::vector<std::string> url_schemes() const override;

    // New instances. Throw PluginError when no plugin serves `type`/`scheme`, or when the
    // plugin's factory throws or returns nothing; the message names the plugin and its file.
    [[nodiscard]] std::unique_ptr<Sink> make_sink(std::string_view type) const;
    [[nodiscard]] std::unique_ptr<Transport> make_transport(std::string_view scheme,
                                                            const TransportContext& context) const;
    // The sink plugin's own check of one [[sink]] table (KAMGW_SINK_CONFIG_CHECK in
    // kamgw/plugin.hpp), secrets redacted; empty when the table is fine or the plugin has none.
    [[nodiscard]] std::string check_sink_config(std::string_view type, const ConfigTable& table) const;

private:
    struct Entry;
    [[nodiscard]] const Entry* find_sink(std::string_view type) const;
    [[nodiscard]] const Entry* find_transport(std::string_view scheme) const;
    bool folder_is_trusted(const std::filesystem::path& dir);
    bool load_trusted_file(const std::filesystem::path& file);
    void refuse(const std::filesystem::path& path, std::string message);

    TrustedIds trusted_;
    FingerprintWords host_fingerprint_;
    std::vector<std::unique_ptr<Entry>> entries_;
    std::vector<LoadProblem> problems_;
    std::vector<std::filesystem::path> checked_dirs_;
};

// True for file names the registry loads from a folder: kamgw-sink-<name>.so, kamgw-transport-<name>.so.
bool is_plugin_file_name(std::string_view file_name);

}  // namespace kamgw::host
