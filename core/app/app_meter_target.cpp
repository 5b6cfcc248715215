#include <boost/program_options/parsers.hpp>
#include <algorithm>
#include <iostream>
#include <map>
#include <vector>

#include "core/app/exit_codes.hpp"
#include "core/app/meter_target.hpp"
#include "core/config/config_loader.hpp"
#include "core/config/core_schemas.hpp"
#include "core/config/duration.hpp"
#include "core/config/meter_url.hpp"
#include "core/config/schema_validator.hpp"
#include "core/kmp/register_catalogue.hpp"

namespace po = boost::program_options;

namespace kamgw::app {
namespace {

// The config key behind each option: one name in TOML, one on the command line.
constexpr std::pair<std::string_view, std::string_view> line_keys[] = {
    {"baud", "--baud"}, {"parity", "--parity"}, {"stop_bits", "--stop-bits"}};

std::string_view option_of(std::string_view key) {
    for (const auto& [config_key, option] : line_keys)
        if (config_key == key) return option;
    return key;
}

void print_issues(const std::vector<config::ConfigIssue>& issues, std::string_view what, std::string_view command,
                  std::ostream& err) {
    for (const auto& issue : issues)
        err << "kamgw " << command << ": " << what << option_of(issue.key) << ": " << issue.message
            << (issue.accepted.empty() ? "" : "; accepted: " + issue.accepted) << '\n';
}

}  // namespace

void add_line_options(po::options_description& options, LineOptions& line) {
    options.add_options()("baud", po::value(&line.baud)->value_name("N"),
                          "serial speed, as the [[meter]] key baud (default 1200)")(
        "parity", po::value(&line.parity)->value_name("P"), "none (default), even or odd, as the key parity")(
        "stop-bits", po::value(&line.stop_bits)->value_name("N"), "1 or 2 (default), as the key stop_bits");
}

bool apply_line_options(const LineOptions& line, config::MeterConfig& meter, std::string_view command,
                        std::ostream& err) {
    std::map<std::string, std::string> given;
    if (!line.baud.empty()) given["baud"] = line.baud;
    if (!line.parity.empty()) given["parity"] = line.parity;
    if (!line.stop_bits.empty()) given["stop_bits"] = line.stop_bits;
    if (given.empty()) return true;
    std::vector<ConfigKey> schema;
    for (const auto& key : config::meter_schema())
        if (given.count(std::string(key.key))) schema.push_back(key);
    std::vector<config::ConfigIssue> issues;
    config::ValidateOptions options;
    options.apply_defaults = false;
    const ConfigTable values = config::validate_string_options(given, schema, "", issues, options);
    if (!issues.empty()) {
        print_issues(issues, "", command, err);
        return false;
    }
    if (values.has("baud")) meter.line.baud = static_cast<unsigned>(values.get_int("baud"));
    if (values.has("stop_bits")) meter.line.stop_bits = static_cast<unsigned>(values.get_int("stop_bits"));
    if (values.has("parity")) {
        const std::string& parity = values.get_string("parity");
        meter.line.parity = parity == "even" ? 'E' : parity == "odd" ? 'O' : 'N';
    }
    return true;
}

bool apply_timeout(const std::string& text, config::MeterConfig& meter, std::string_view command, std::ostream& err) {
    if (text.empty()) return true;
    std::string why;
    const auto d = config::parse_duration(text, &why);
    if (!d || d->count() <= 0) {
        err << "kamgw " << command << ": --timeout: " << (why.empty() ? "must be positive" : why) << '\n';
        return false;
    }
    meter.timeout = *d;
    return true;
}

std::optional<config::MeterConfig> meter_from_url(const std::string& url, const host::PluginRegistry& registry,
                                                  std::string_view command, std::ostream& err) {
    std::string why;
    const auto endpoint = config::parse_endpoint(url, &why);
    if (!endpoint) {
        err << "kamgw " << command << ": '" << config::redact_url(url) << "' is no meter URL: " << why << '\n';
        return std::nullopt;
    }
    const PluginDescriptor* plugin = registry.transport_for_scheme(endpoint->scheme);
    if (!plugin) {
        err << "kamgw " << command << ": no transport plugin serves '" << endpoint->scheme << "://' (served:";
        for (const auto& s : registry.url_schemes()) err << ' ' << s;
        err << "); see 'kamgw plugins'\n";
        return std::nullopt;
    }
    config::MeterConfig meter;
    std::vector<config::ConfigIssue> issues;
    meter.transport_options = config::validate_string_options(endpoint->query, plugin->config, "url", issues);
    if (!issues.empty()) {
        print_issues(issues, "URL option ", command, err);
        return std::nullopt;
    }
    meter.name = endpoint->host.empty() ? "meter" : endpoint->host;
    meter.url = url;
    meter.endpoint = *endpoint;
    meter.line_group = config::default_line_group(*endpoint);
    return meter;
}

}  // namespace kamgw::app

namespace kamgw::app {

std::optional<config::MeterConfig> configured_meter(const std::string& name, const std::string& config_file,
                                                    const host::PluginRegistry& registry, std::string_view command,
                                                    std::ostream& err) {
    const auto cfg = config::load_config(config_file, registry);
    for (const auto& m : cfg.meters)
        if (m.name == name) return m;
    err << "kamgw " << command << ": no [[meter]] named '" << name << "' in " << config_file << " (configured:";
    for (const auto& m : cfg.meters) err << ' ' << m.name;
    err << ")\n";
    return std::nullopt;
}

std::optional<int> parse_command_line(int argc, char** argv, const po::options_description& options,
                                      const po::positional_options_description& positional, po::variables_map& vm,
                                      std::string_view command) {
    try {
        po::store(po::command_line_parser(argc, argv).options(options).positional(positional).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        std::cerr << "kamgw " << command << ": " << e.what() << "\n\n" << options;
        return exit_code::usage;
    }
    if (vm.count("help")) {
        std::cout << options;
        return exit_code::ok;
    }
    return std::nullopt;
}

std::optional<int> resolve_meter(const std::string& url, const std::string& meter_name, const std::string& config_file,
                                 const host::PluginRegistry& registry, const std::string& timeout_text,
                                 const LineOptions& line, std::string_view command, std::ostream& err,
                                 config::MeterConfig& meter) {
    std::optional<config::MeterConfig> target;
    try {
        target = meter_name.empty() ? meter_from_url(url, registry, command, err)
                                    : configured_meter(meter_name, config_file, registry, command, err);
    } catch (const std::exception& e) {
        err << e.what() << '\n';
        return exit_code::config_error;
    }
    if (!target) return exit_code::usage;
    if (!apply_timeout(timeout_text, *target, command, err) || !apply_line_options(line, *target, command, err))
        return exit_code::usage;
    meter = std::move(*target);
    return std::nullopt;
}

}  // namespace kamgw::app
