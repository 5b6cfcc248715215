// The state folder and the sinks' path keys. A sink key called "path" (or ending in "_path")
// is where the sink writes; one ending in "_file" is a file it reads (sdk/README.md).
#include "core/app/preflight.hpp"

namespace kamgw::app {
namespace {

namespace fs = std::filesystem;

using config::ConfigIssue;
using config::SourcePosition;

bool is_output_key(std::string_view key) { return key == "path" || key.ends_with("_path"); }

// A folder that exists and can be written, or that can be created.
std::optional<std::string> folder_problem(const fs::path& dir, const ServiceIdentity& who) {
    std::error_code ec;
    const auto status = fs::status(dir, ec);
    if (status.type() == fs::file_type::not_found) return create_problem(dir, who);
    if (ec) return "'" + dir.string() + "' cannot be examined: " + ec.message();
    if (!fs::is_directory(status)) return "'" + dir.string() + "' exists and is not a folder; name a folder";
    return access_problem(dir, who, Need::write);
}

// A file the sink appends to: a regular file it may write, or one it may create.
std::optional<std::string> output_problem(const fs::path& file, const ServiceIdentity& who) {
    std::error_code ec;
    const auto status = fs::status(file, ec);
    if (status.type() == fs::file_type::not_found) return create_problem(file, who);
    if (ec) return "'" + file.string() + "' cannot be examined: " + ec.message();
    if (fs::is_directory(status)) return "'" + file.string() + "' is a folder; name a file in it";
    if (!fs::is_regular_file(status)) return "'" + file.string() + "' is not a regular file";
    return access_problem(file, who, Need::write);
}

// A file the sink reads (a CA bundle, a key).
std::optional<std::string> input_problem(const fs::path& file, const ServiceIdentity& who) {
    std::error_code ec;
    const auto status = fs::status(file, ec);
    if (status.type() == fs::file_type::not_found) return "'" + file.string() + "' does not exist";
    if (ec) return "'" + file.string() + "' cannot be examined: " + ec.message();
    if (!fs::is_regular_file(status)) return "'" + file.string() + "' is not a regular file";
    return access_problem(file, who, Need::read);
}

}  // namespace

void check_paths(const config::Config& cfg, const host::PluginRegistry& registry, const ServiceIdentity& who,
                 std::vector<ConfigIssue>& issues) {
    const SourcePosition main{cfg.files.empty() ? std::string() : cfg.files.front().string(), 1, 1};
    if (auto problem = folder_problem(cfg.gateway.state_dir, who)) {
        const SourcePosition where =
            cfg.gateway.state_dir_position.file.empty() ? main : cfg.gateway.state_dir_position;
        issues.push_back({where, "gateway.state_dir", *problem, "a folder the user " + who.name + " can write"});
    }
    for (std::size_t i = 0; i < cfg.sinks.size(); ++i) {
        const config::SinkConfig& sink = cfg.sinks[i];
        const PluginDescriptor* plugin = registry.sink(sink.type);
        if (!plugin) continue;
        for (const ConfigKey& key : plugin->config) {
            if (key.type != ConfigType::path || !sink.options.has(key.key)) continue;
            const std::string& value = sink.options.get_string(key.key);
            if (value.empty() || value == "-") continue;  // unset, or standard output
            const bool output = is_output_key(key.key);
            auto problem = output ? output_problem(value, who) : input_problem(value, who);
            if (!problem) continue;
            auto at = sink.key_positions.find(key.key);
            issues.push_back({at != sink.key_positions.end() ? at->second : sink.position,
                              "sink[" + std::to_string(i) + "]." + std::string(key.key), *problem,
                              output ? "a file the user " + who.name + " can create or append to"
                                     : "a file the user " + who.name + " can read"});
        }
    }
}

}  // namespace kamgw::app
