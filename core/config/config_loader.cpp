#include "core/config/config_loader.hpp"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdlib>

#include "core/config/bounded_file.hpp"
#include "core/config/load_state.hpp"
#include "core/config/suggest.hpp"

namespace kamgw::config {
namespace detail {

SourcePosition Document::position(const toml::source_region& region) const {
    if (region.begin.line == 0) return start();
    return {region.path && !region.path->empty() ? *region.path : source, region.begin.line, region.begin.column};
}

ValidateOptions Document::validate_options(LoadState& state, const toml::node& table) const {
    ValidateOptions options;
    options.secret_files = &state.config.secret_files;
    options.base_dir = base_dir;
    options.credentials_dir = state.credentials_dir;
    options.fallback = position(table.source());
    return options;
}

}  // namespace detail

namespace {

using detail::Document;
using detail::LoadState;

constexpr std::array<std::string_view, 3> top_level_keys = {"gateway", "meter", "sink"};

std::string host_name() {
    std::array<char, 256> buffer{};
    if (::gethostname(buffer.data(), buffer.size() - 1) != 0) return "kamgw";
    std::string name(buffer.data());
    // The short name: "boiler.example.org" -> "boiler" (the id appears in MQTT topics).
    if (const auto dot = name.find('.'); dot != std::string::npos) name.resize(dot);
    return name.empty() ? "kamgw" : name;
}

std::optional<std::filesystem::path> credentials_dir(const LoadOptions& options) {
    if (options.credentials_dir) return options.credentials_dir;
    if (const char* env = std::getenv("CREDENTIALS_DIRECTORY"); env && *env) return std::filesystem::path(env);
    return std::nullopt;
}

// A table array ([[meter]]) whose elements go to `load`; anything else is an issue.
template <typename Load>
void load_table_array(LoadState& state, const Document& doc, std::string_view name, const toml::node& node, Load load) {
    const toml::array* array = node.as_array();
    if (!array) {
        state.issues.push_back({doc.position(node.source()), std::string(name),
                                "must be an array of tables, written [[" + std::string(name) + "]]",
                                "[[" + std::string(name) + "]] tables"});
        return;
    }
    for (const toml::node& element : *array) {
        if (const toml::table* table = element.as_table()) {
            load(state, doc, *table);
        } else {
            state.issues.push_back({doc.position(element.source()), std::string(name),
                                    "each entry must be a table, written [[" + std::string(name) + "]]",
                                    "[[" + std::string(name) + "]] tables"});
        }
    }
}

void load_document(LoadState& state, const Document& doc) {
    for (auto&& [key, node] : doc.root) {
        const std::string_view name = key.str();
        if (name == "gateway") {
            if (const toml::table* table = node.as_table()) {
                detail::load_gateway(state, doc, *table);
            } else {
                state.issues.push_back({doc.position(node.source()), "gateway", "must be a table, written [gateway]",
                                        "a [gateway] table"});
            }
        } else if (name == "meter") {
            load_table_array(state, doc, "meter", node, detail::load_meter);
        } else if (name == "sink") {
            load_table_array(state, doc, "sink", node, detail::load_sink);
        } else {
            std::vector<std::string> accepted(top_level_keys.begin(), top_level_keys.end());
            std::string message = "unknown top-level key '" + std::string(name) + "'";
            if (auto near = close_matches(name, accepted, 1); !near.empty())
                message += " (did you mean '" + near.front() + "'?)";
            state.issues.push_back(
                {doc.position(key.source()), std::string(name), std::move(message), "[gateway], [[meter]], [[sink]]"});
        }
    }
}

// Parses and loads one document; a syntax error becomes an issue and the document is skipped.
void load_text(LoadState& state, std::string_view text, const std::string& source,
               const std::filesystem::path& base_dir) {
    try {
        const toml::table root = toml::parse(text, std::string_view{source});
        load_document(state, Document{root, source, base_dir});
    } catch (const toml::parse_error& error) {
        const auto& begin = error.source().begin;
        state.issues.push_back(
            {{source, begin.line, begin.column}, "", "TOML syntax error: " + std::string(error.description()), ""});
    }
}

// Issues in reading order: file by file as loaded, then by line and column, so the list reads
// like the files themselves (a table's unknown keys and bad values interleave by line).
void sort_issues(std::vector<ConfigIssue>& issues, const std::vector<std::filesystem::path>& files) {
    auto rank = [&](const std::string& file) {
        for (std::size_t i = 0; i < files.size(); ++i)
            if (files[i].string() == file) return i;
        return files.size();
    };
    std::stable_sort(issues.begin(), issues.end(), [&](const ConfigIssue& a, const ConfigIssue& b) {
        const std::size_t ra = rank(a.where.file), rb = rank(b.where.file);
        if (ra != rb) return ra < rb;
        if (a.where.line != b.where.line) return a.where.line < b.where.line;
        return a.where.column < b.where.column;
    });
}

Config finish_or_throw(LoadState& state, const LoadOptions& options) {
    detail::finish(state, options.default_gateway_id.empty() ? host_name() : options.default_gateway_id);
    sort_issues(state.issues, state.config.files);
    if (!state.issues.empty()) throw ConfigErrors(std::move(state.issues));
    return std::move(state.config);
}

}  // namespace

namespace {

std::filesystem::path dropin_dir(const std::filesystem::path& main_file, const LoadOptions& options) {
    return options.dropin_dir ? *options.dropin_dir : main_file.parent_path() / "conf.d";
}

// Every "*.toml" in the drop-in folder, whatever it is: an entry that is not a regular file
// (a FIFO, a folder, a broken or looping link) is reported when it is read, not skipped, so
// a drop-in the user meant to add never silently does nothing.
std::vector<std::filesystem::path> list_dropins(const std::filesystem::path& dir, std::vector<ConfigIssue>* issues) {
    std::vector<std::filesystem::path> files;
    auto problem = [&](std::string message) {
        if (issues) issues->push_back({{dir.string(), 1, 1}, "", std::move(message), ""});
    };
    std::error_code ec;
    const auto link = std::filesystem::symlink_status(dir, ec);
    if (ec || link.type() == std::filesystem::file_type::not_found) return files;  // no drop-ins: fine
    const auto target = std::filesystem::status(dir, ec);
    if (ec || !std::filesystem::is_directory(target)) {
        problem(ec ? "the drop-in folder cannot be opened (" + ec.message() +
                         "); make it a folder, or remove it if there are no drop-ins"
                   : "the drop-in folder is not a folder; make it one, or remove it if there are no drop-ins");
        return files;
    }
    std::filesystem::directory_iterator it(dir, ec);
    if (ec) {
        problem("the drop-in folder cannot be listed (" + ec.message() + "); let the user kamgw runs as read it");
        return files;
    }
    for (; it != std::filesystem::directory_iterator(); it.increment(ec)) {
        if (ec) break;
        const std::string name = it->path().filename().string();
        // Dotfiles are editor backups and package-manager leftovers, not drop-ins.
        if (name.empty() || name.front() == '.' || it->path().extension() != ".toml") continue;
        files.push_back(it->path());
    }
    if (ec) problem("the drop-in folder could not be listed to the end (" + ec.message() + ")");
    std::sort(files.begin(), files.end(),
              [](const auto& a, const auto& b) { return a.filename().string() < b.filename().string(); });
    return files;
}

}  // namespace

std::vector<std::filesystem::path> dropin_files(const std::filesystem::path& main_file, const LoadOptions& options) {
    if (!options.read_dropins) return {};
    return list_dropins(dropin_dir(main_file, options), nullptr);
}

Config load_config(const std::filesystem::path& main_file, const PluginSchemas& plugins, const LoadOptions& options) {
    LoadState state{plugins, credentials_dir(options), {}, {}, {}, {}, {}};
    std::vector<std::filesystem::path> files{main_file};
    if (options.read_dropins)
        for (auto& dropin : list_dropins(dropin_dir(main_file, options), &state.issues))
            files.push_back(std::move(dropin));
    for (const std::filesystem::path& file : files) {
        state.config.files.push_back(file);
        const FileText text =
            read_bounded_file(file, config_file_limit, &file == &files.front() ? "configuration file" : "drop-in");
        if (!text.ok()) {
            state.issues.push_back({{file.string(), 1, 1}, "", text.error, ""});
            continue;
        }
        load_text(state, text.text, file.string(), file.parent_path());
    }
    return finish_or_throw(state, options);
}

Config load_config_text(std::string_view text, std::string source_name, const PluginSchemas& plugins,
                        const LoadOptions& options) {
    LoadState state{plugins, credentials_dir(options), {}, {}, {}, {}, {}};
    state.config.files.push_back(source_name);
    load_text(state, text, source_name, std::filesystem::current_path());
    return finish_or_throw(state, options);
}

}  // namespace kamgw::config
