// kamgw plugins: what the plugin host finds, what each plugin accepts, and what it refused.
#include <boost/program_options.hpp>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/app/commands.hpp"
#include "core/app/exit_codes.hpp"
#include "core/base/version.hpp"
#include "core/host/plugin_dirs.hpp"
#include "core/host/plugin_registry.hpp"

namespace kamgw::app {
namespace {

namespace po = boost::program_options;

nlohmann::json key_json(const ConfigKey& k) {
    nlohmann::json j = {{"key", k.key}, {"type", config_type_name(k.type)}, {"required", k.required}, {"doc", k.doc}};
    j["default"] = k.default_value.empty() ? nlohmann::json(nullptr) : nlohmann::json(k.default_value);
    if (k.type == ConfigType::choice) j["choices"] = k.choices;
    if (k.type == ConfigType::integer) {
        if (k.min != INT64_MIN) j["min"] = k.min;
        if (k.max != INT64_MAX) j["max"] = k.max;
    }
    return j;
}

nlohmann::json to_json(const std::vector<std::filesystem::path>& dirs, const host::PluginRegistry& registry) {
    nlohmann::json out = {{"kamgw_version", base::version}, {"plugin_abi", base::plugin_abi}};
    out["plugin_dirs"] = nlohmann::json::array();
    for (const auto& d : dirs) out["plugin_dirs"].push_back(d.string());
    out["plugins"] = nlohmann::json::array();
    for (const auto& p : registry.plugins()) {
        const PluginDescriptor& d = *p.descriptor;
        nlohmann::json j = {{"file", p.file.string()},
                            {"name", d.name},
                            {"kind", plugin_kind_name(d.kind)},
                            {"version", d.version},
                            {"abi", d.abi_version},
                            {"summary", d.summary},
                            {"schemes", nlohmann::json::array()},
                            {"config", nlohmann::json::array()}};
        for (std::string_view s : d.url_schemes) j["schemes"].push_back(s);
        for (const ConfigKey& k : d.config) j["config"].push_back(key_json(k));
        if (d.kind == PluginKind::sink)
            j["lane"] = {{"batch_size", d.lane.batch_size}, {"flush_interval_ms", d.lane.flush_interval.count()}};
        out["plugins"].push_back(std::move(j));
    }
    out["problems"] = nlohmann::json::array();
    for (const auto& p : registry.problems())
        out["problems"].push_back({{"path", p.path.string()}, {"message", p.message}});
    return out;
}

std::string type_text(const ConfigKey& k) {
    std::string t(config_type_name(k.type));
    if (k.type == ConfigType::choice) t += " (" + std::string(k.choices) + ")";
    return t;
}

std::string default_text(const ConfigKey& k) {
    if (k.required) return "required";
    if (!k.default_value.empty()) return "default " + std::string(k.default_value);
    return "optional";
}

void print_text(std::ostream& out, const std::vector<std::filesystem::path>& dirs,
                const host::PluginRegistry& registry) {
    out << "kamgw " << base::version << ", plugin ABI " << base::plugin_abi << "\nPlugin folders:";
    for (const auto& d : dirs) out << ' ' << d.string();
    out << "\n";
    const auto plugins = registry.plugins();
    if (plugins.empty()) out << "\nNo plugins loaded.\n";
    for (const auto& p : plugins) {
        const PluginDescriptor& d = *p.descriptor;
        out << "\n"
            << plugin_kind_name(d.kind) << ' ' << d.name << ' ' << d.version << " (ABI " << d.abi_version << ")\n  "
            << d.summary << "\n  file: " << p.file.string() << "\n";
        if (!d.url_schemes.empty()) {
            out << "  URL schemes:";
            for (std::string_view s : d.url_schemes) out << ' ' << s << "://";
            out << "\n";
        }
        if (d.config.empty()) {
            out << "  no configuration keys\n";
            continue;
        }
        out << (d.kind == PluginKind::sink ? "  [[sink]] keys:\n" : "  URL query keys:\n");
        std::size_t key_width = 0, type_width = 0, default_width = 0;
        for (const ConfigKey& k : d.config) {
            key_width = std::max(key_width, k.key.size());
            type_width = std::max(type_width, type_text(k).size());
            default_width = std::max(default_width, default_text(k).size());
        }
        for (const ConfigKey& k : d.config) {
            out << "    " << std::left << std::setw(static_cast<int>(key_width)) << k.key << "  "
                << std::setw(static_cast<int>(type_width)) << type_text(k) << "  "
                << std::setw(static_cast<int>(default_width)) << default_text(k) << "  " << k.doc << "\n";
        }
    }
    if (!registry.problems().empty()) {
        out << "\nProblems:\n";
        for (const auto& p : registry.problems()) out << "  " << p.message << "\n";
    }
}

}  // namespace

int cmd_plugins(int argc, char** argv) {
    po::options_description options(
        "Usage: kamgw plugins [--json] [--plugin-dir DIR]...\n\n"
        "Lists the plugins kamgw finds, their kind, version, ABI, URL schemes and\n"
        "configuration keys, and every plugin file it refused and why.\n\n" +
        exit_code_help({exit_code::ok, exit_code::usage, exit_code::plugin_refused}) + "\nOptions");
    options.add_options()("help,h", "show this help")("json", "print JSON instead of text")(
        "plugin-dir", po::value<std::vector<std::string>>()->composing(),
        "look in DIR instead of the default folder (repeatable; earlier folders win)");
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(argc, argv).options(options).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        std::cerr << "kamgw plugins: " << e.what() << "\n\n" << options << '\n';
        return EX_USAGE;
    }
    if (vm.count("help")) {
        std::cout << options << '\n';
        return EX_OK;
    }
    std::vector<std::filesystem::path> dirs;
    if (vm.count("plugin-dir"))
        for (const auto& d : vm["plugin-dir"].as<std::vector<std::string>>()) dirs.emplace_back(d);
    else
        dirs = host::default_plugin_dirs();

    host::PluginRegistry registry;
    registry.load_dirs(dirs);
    if (vm.count("json"))
        std::cout << to_json(dirs, registry).dump(2) << '\n';
    else
        print_text(std::cout, dirs, registry);
    return registry.problems().empty() ? exit_code::ok : exit_code::plugin_refused;
}

}  // namespace kamgw::app
