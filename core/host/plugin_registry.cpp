#include "core/host/plugin_registry.hpp"

#include <algorithm>
#include <boost/dll/shared_library.hpp>
#include <exception>
#include <set>
#include <system_error>

#include "core/base/version.hpp"
#include "core/config/meter_url.hpp"
#include "core/host/abi_check.hpp"
#include "core/config/redact.hpp"

namespace kamgw::host {

struct PluginRegistry::Entry {
    std::filesystem::path file;
    boost::dll::shared_library library;  // keeps the code of `descriptor` mapped
    const PluginDescriptor* descriptor = nullptr;
    // The sink's optional KAMGW_SINK_CONFIG_CHECK.
    void (*check_config)(const ConfigTable&, std::string&) = nullptr;
};

namespace {

constexpr std::string_view sink_prefix = "kamgw-sink-";
constexpr std::string_view transport_prefix = "kamgw-transport-";
constexpr std::string_view suffix = ".so";

struct ExpectedIdentity {
    bool known = false;  // false for a file loaded by path whose name does not follow the pattern
    PluginKind kind = PluginKind::sink;
    std::string name;
};

ExpectedIdentity identity_from_file_name(std::string_view file_name) {
    if (file_name.size() <= suffix.size() || !file_name.ends_with(suffix)) return {};
    file_name.remove_suffix(suffix.size());
    for (const auto& [prefix, kind] :
         {std::pair{sink_prefix, PluginKind::sink}, std::pair{transport_prefix, PluginKind::transport}}) {
        if (file_name.size() > prefix.size() && file_name.starts_with(prefix))
            return {true, kind, std::string(file_name.substr(prefix.size()))};
    }
    return {};
}

bool valid_name(std::string_view name) {
    if (name.empty()) return false;
    return std::all_of(name.begin(), name.end(),
                       [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'; });
}

std::string in_quotes(std::string_view s) { return "'" + std::string(s) + "'"; }

std::string joined(const std::vector<std::string>& items) {
    if (items.empty()) return "none";
    std::string out;
    for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
    return out;
}

// Everything wrong with a descriptor that passed the ABI check, or an empty string.
std::string descriptor_problem(const PluginDescriptor& d, const ExpectedIdentity& expected) {
    if (d.abi_version != KAMGW_PLUGIN_ABI)
        return "its descriptor says plugin ABI " + std::to_string(d.abi_version) + " but kamgw_plugin_abi() says " +
               std::to_string(KAMGW_PLUGIN_ABI) + ": the plugin is broken, rebuild it";
    if (d.kind != PluginKind::sink && d.kind != PluginKind::transport)
        return "its descriptor has an unknown kind (" + std::to_string(static_cast<int>(d.kind)) + ")";
    if (!valid_name(d.name))
        return "its descriptor has the invalid name " + in_quotes(d.name) +
               " (lower-case letters, digits, '-' and '_' only)";
    if (expected.known && expected.kind != d.kind)
        return "the file name says it is a " + std::string(plugin_kind_name(expected.kind)) +
               " plugin, but its descriptor says " + std::string(plugin_kind_name(d.kind));
    if (expected.known && expected.name != d.name)
        return "the file name says the plugin is called " + in_quotes(expected.name) + ", but its descriptor says " +
               in_quotes(d.name);
    if (d.kind == PluginKind::sink && d.make_sink == nullptr) return "the sink plugin has no make_sink factory";
    if (d.kind == PluginKind::transport) {
        if (d.make_transport == nullptr) return "the transport plugin has no make_transport factory";
        if (d.url_schemes.empty()) return "the transport plugin serves no URL scheme";
        for (std::string_view scheme : d.url_schemes)
            if (!valid_name(scheme)) return "the transport plugin lists the invalid URL scheme " + in_quotes(scheme);
    }
    std::set<std::string_view> keys;
    for (const ConfigKey& key : d.config) {
        if (key.key.empty()) return "its config schema has a key without a name";
        if (!keys.insert(key.key).second) return "its config schema lists the key " + in_quotes(key.key) + " twice";
        if (key.type == ConfigType::choice && key.choices.empty())
            return "its config key " + in_quotes(key.key) + " is a choice without choices";
    }
    return {};
}

}  // namespace

bool is_plugin_file_name(std::string_view file_name) { return identity_from_file_name(file_name).known; }

PluginRegistry::PluginRegistry() : PluginRegistry(TrustedIds::of_this_process()) {}
PluginRegistry::PluginRegistry(TrustedIds trusted) : trusted_(trusted), host_fingerprint_(host_fingerprint()) {}

PluginRegistry::~PluginRegistry() {
    // Unload in reverse order, so a plugin that depends on an earlier one's symbols goes first.
    while (!entries_.empty()) entries_.pop_back();
}

void PluginRegistry::refuse(const std::filesystem::path& path, std::string message) {
    problems_.push_back({path, std::move(message)});
}

void PluginRegistry::load_dirs(const std::vector<std::filesystem::path>& dirs) {
    for (const auto& dir : dirs) load_dir(dir);
}

void PluginRegistry::load_dir(const std::filesystem::path& dir) {
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec)) {
        refuse(dir, "plugin folder " + dir.string() + " does not exist or is not a folder");
        return;
    }
    if (!folder_is_trusted(dir)) return;
    std::vector<std::filesystem::path> files;
    for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
        if (is_plugin_file_name(it->path().filename().string())) files.push_back(it->path());
    if (ec) {
        refuse(dir, "cannot list plugin folder " + dir.string() + ": " + ec.message());
        return;
    }
    std::sort(files.begin(), files.end());
    for (const auto& file : files) load_trusted_file(file);
}

bool PluginRegistry::load_file(const std::filesystem::path& file) {
    const std::filesystem::path dir = file.has_parent_path() ? file.parent_path() : std::filesystem::path(".");
    if (!folder_is_trusted(dir)) {
        refuse(file, "not loading plugin " + file.string() + ": its folder was refused");
        return false;
    }
    return load_trusted_file(file);
}

bool PluginRegistry::folder_is_trusted(const std::filesystem::path& dir) {
    std::error_code ec;
    const std::filesystem::path key = std::filesystem::weakly_canonical(dir, ec);
    if (std::find(checked_dirs_.begin(), checked_dirs_.end(), key) != checked_dirs_.end()) return true;
    if (auto problem = writable_by_others(dir, "folder", trusted_)) {
        refuse(dir, std::move(*problem));
        return false;
    }
    checked_dirs_.push_back(key);
    return true;
}

bool PluginRegistry::load_trusted_file(const std::filesystem::path& file) {
    std::error_code ec;
    const std::filesystem::path canonical = std::filesystem::weakly_canonical(file, ec);
    for (const auto& e : entries_)
        if (e->file == canonical) return true;  // the same folder listed twice

    if (auto problem = writable_by_others(file, "file", trusted_)) {
        refuse(file, std::move(*problem));
        return false;
    }
    if (auto problem = unsafe_folder_on_path(file, trusted_)) {
        refuse(file, std::move(*problem));
        return false;
    }
    const std::string name = "plugin " + file.string();

    // The fingerprint is read from the file: dlopen() would run the plugin's static
    // initialisers, which a plugin built for another ABI must never get to do. Only root or
    // kamgw's own user can replace the file between this read and the load (checked above).
    if (auto refusal = abi_refusal(file, host_fingerprint_)) {
        refuse(file, std::move(*refusal));
        return false;
    }

    auto entry = std::make_unique<Entry>();
    entry->file = canonical;
    try {
        entry->library.load(file, boost::dll::load_mode::rtld_lazy | boost::dll::load_mode::rtld_local);
    } catch (const std::exception& e) {
        refuse(file, "cannot load " + name + ": " + e.what());
        return false;
    }

    // The ABI number once more, from the loaded code, before the descriptor is read: a plugin
    // whose fingerprint was copied from another build would have its descriptor read as garbage.
    if (!entry->library.has("kamgw_plugin_abi")) {
        refuse(file, name + " is not a kamgw plugin: it exports no kamgw_plugin_abi() (built without KAMGW_PLUGIN?)");
        return false;
    }
    const int abi = entry->library.get<int()>("kamgw_plugin_abi")();
    if (abi != KAMGW_PLUGIN_ABI) {
        refuse(file, name + " was built for plugin ABI " + std::to_string(abi) + ", but this kamgw " +
                         kamgw::base::version + " uses ABI " + std::to_string(KAMGW_PLUGIN_ABI) +
                         ": rebuild it against the matching kamgw-dev");
        return false;
    }
    if (!entry->library.has("kamgw_plugin_descriptor")) {
        refuse(file, name + " is not a kamgw plugin: it exports no kamgw_plugin_descriptor()");
        return false;
    }
    entry->descriptor = entry->library.get<const PluginDescriptor*()>("kamgw_plugin_descriptor")();
    if (entry->descriptor == nullptr) {
        refuse(file, "refusing " + name + ": kamgw_plugin_descriptor() returned no descriptor");
        return false;
    }
    const PluginDescriptor& d = *entry->descriptor;
    if (std::string why = descriptor_problem(d, identity_from_file_name(file.filename().string())); !why.empty()) {
        refuse(file, "refusing " + name + ": " + why);
        return false;
    }
    if (d.kind == PluginKind::sink && entry->library.has("kamgw_sink_check_config"))
        entry->check_config = &entry->library.get<void(const ConfigTable&, std::string&)>("kamgw_sink_check_config");

    if (d.kind == PluginKind::sink) {
        if (const Entry* other = find_sink(d.name)) {
            refuse(file, "refusing " + name + ": a sink named " + in_quotes(d.name) + " is already loaded from " +
                             other->file.string() + "; remove one of the two");
            return false;
        }
    } else {
        for (const auto& e : entries_) {
            if (e->descriptor->kind != PluginKind::transport) continue;
            if (e->descriptor->name == d.name) {
                refuse(file, "refusing " + name + ": a transport named " + in_quotes(d.name) +
                                 " is already loaded from " + e->file.string() + "; remove one of the two");
                return false;
            }
        }
        for (std::string_view scheme : d.url_schemes) {
            if (const Entry* other = find_transport(scheme)) {
                refuse(file, "refusing " + name + ": the URL scheme " + in_quotes(scheme) +
                                 " is already served by transport " + in_quotes(other->descriptor->name) + " from " +
                                 other->file.string() + "; remove one of the two");
                return false;
            }
        }
    }
    entries_.push_back(std::move(entry));
    return true;
}

std::vector<LoadedPlugin> PluginRegistry::plugins() const {
    std::vector<LoadedPlugin> out;
    out.reserve(entries_.size());
    for (const auto& e : entries_) out.push_back({e->file, e->descriptor});
    return out;
}

const PluginRegistry::Entry* PluginRegistry::find_sink(std::string_view type) const {
    for (const auto& e : entries_)
        if (e->descriptor->kind == PluginKind::sink && e->descriptor->name == type) return e.get();
    return nullptr;
}

const PluginRegistry::Entry* PluginRegistry::find_transport(std::string_view scheme) const {
    for (const auto& e : entries_) {
        if (e->descriptor->kind != PluginKind::transport) continue;
        for (std::string_view s : e->descriptor->url_schemes)
            if (s == scheme) return e.get();
    }
    return nullptr;
}

const PluginDescriptor* PluginRegistry::sink(std::string_view type) const {
    const Entry* e = find_sink(type);
    return e ? e->descriptor : nullptr;
}

const PluginDescriptor* PluginRegistry::transport_for_scheme(std::string_view scheme) const {
    const Entry* e = find_transport(scheme);
    return e ? e->descriptor : nullptr;
}

std::vector<std::string> PluginRegistry::sink_types() const {
    std::vector<std::string> out;
    for (const auto& e : entries_)
        if (e->descriptor->kind == PluginKind::sink) out.emplace_back(e->descriptor->name);
    std::sort(out.begin(), out.end());
    return out;
}

std::vector<std::string> PluginRegistry::url_schemes() const {
    std::vector<std::string> out;
    for (const auto& e : entries_)
        if (e->descriptor->kind == PluginKind::transport)
            for (std::string_view s : e->descriptor->url_schemes) out.emplace_back(s);
    std::sort(out.begin(), out.end());
    return out;
}

std::unique_ptr<Sink> PluginRegistry::make_sink(std::string_view type) const {
    const Entry* e = find_sink(type);
    if (!e)
        throw PluginError("no sink plugin of type " + in_quotes(type) + " is loaded (loaded: " + joined(sink_types()) +
                          ")");
    const std::string who = "sink plugin " + in_quotes(type) + " (" + e->file.string() + ")";
    std::unique_ptr<Sink> sink;
    try {
        sink = e->descriptor->make_sink();
    } catch (const std::exception& ex) {
        throw PluginError(who + " failed to create a sink: " + ex.what());
    } catch (...) {
        throw PluginError(who + " failed to create a sink: it threw something that is not a std::exception");
    }
    if (!sink) throw PluginError(who + " failed to create a sink: its factory returned nothing");
    return sink;
}

std::string PluginRegistry::check_sink_config(std::string_view type, const ConfigTable& table) const {
    const Entry* e = find_sink(type);
    if (!e || !e->check_config) return {};
    std::string problem;
    try {
        e->check_config(table, problem);
    } catch (...) {  // KAMGW_SINK_CONFIG_CHECK turns std::exceptions into the sentence already
        problem = "its configuration check threw something that is not a std::exception";
    }
    return config::redact_text(problem);
}

std::unique_ptr<Transport> PluginRegistry::make_transport(std::string_view scheme,
                                                          const TransportContext& context) const {
    const Entry* e = find_transport(scheme);
    if (!e)
        throw PluginError("no transport plugin serves URL scheme " + in_quotes(scheme) +
                          " (served: " + joined(url_schemes()) + ")");
    const std::string who = "transport plugin " + in_quotes(e->descriptor->name) + " (" + e->file.string() + ")";
    std::unique_ptr<Transport> transport;
    try {
        transport = e->descriptor->make_transport(context);
    } catch (const std::exception& ex) {
        throw PluginError(who + " failed to create a transport for " + config::redact_url(context.endpoint.url) + ": " +
                          config::redact_text(ex.what()));
    } catch (...) {
        throw PluginError(who + " failed to create a transport for " + config::redact_url(context.endpoint.url) +
                          ": it threw something that is not a std::exception");
    }
    if (!transport) throw PluginError(who + " failed to create a transport: its factory returned nothing");
    return transport;
}

}  // namespace kamgw::host
