#include <boost/asio/io_context.hpp>
#include <cctype>

#include "core/app/preflight.hpp"
#include "core/config/config_loader.hpp"
#include "core/config/redact.hpp"

namespace kamgw::app {
namespace {

config::SourcePosition or_main_file(const config::SourcePosition& where, const config::Config& cfg) {
    if (!where.file.empty()) return where;
    return {cfg.files.empty() ? std::string() : cfg.files.front().string(), 1, 1};
}

// The files the daemon reads at start and on every reload: the service user must be able to.
void check_readable(const config::Config& cfg, const ServiceIdentity& who, std::vector<config::ConfigIssue>& issues) {
    std::vector<std::filesystem::path> files = cfg.files;
    files.insert(files.end(), cfg.secret_files.begin(), cfg.secret_files.end());
    for (const auto& file : files) {
        if (auto problem = access_problem(file, who, Need::read))
            issues.push_back({{file.string(), 1, 1}, "", *problem + " (kamgw runs as " + who.name + ")", ""});
    }
}

// A sink's sentence usually starts with the key it is about ("url '…': …", "`timeout` must …"):
// point at that key when the table has it, at the [[sink]] table otherwise.
config::SourcePosition sink_problem_position(const config::SinkConfig& sink, const std::string& problem) {
    const std::size_t start = problem.starts_with('`') ? 1 : 0;
    std::size_t end = start;
    while (end < problem.size() && (std::islower(static_cast<unsigned char>(problem[end])) ||
                                    std::isdigit(static_cast<unsigned char>(problem[end])) || problem[end] == '_'))
        ++end;
    const auto key = sink.key_positions.find(std::string_view(problem).substr(start, end - start));
    return key != sink.key_positions.end() ? key->second : sink.position;
}

}  // namespace

std::string transport_problem(const config::MeterConfig& meter, const host::PluginRegistry& registry) {
    // The factory only builds the object; the io_context never runs.
    boost::asio::io_context io;
    TransportContext context{io.get_executor(), meter.endpoint, meter.line, meter.transport_options, nullptr};
    try {
        (void)registry.make_transport(meter.endpoint.scheme, context);
    } catch (const std::exception& e) {
        return config::redact_text(e.what());
    }
    return {};
}

std::vector<config::ConfigIssue> preflight(const config::Config& cfg, const host::PluginRegistry& registry,
                                           const ServiceIdentity& who) {
    std::vector<config::ConfigIssue> issues;
    for (std::size_t i = 0; i < cfg.meters.size(); ++i) {
        const config::MeterConfig& meter = cfg.meters[i];
        if (!registry.transport_for_scheme(meter.endpoint.scheme)) continue;  // reported by the loader
        if (std::string problem = transport_problem(meter, registry); !problem.empty())
            issues.push_back({or_main_file(meter.url_position, cfg), "meter[" + std::to_string(i) + "].url",
                              std::move(problem), "a URL the transport accepts (see `kamgw plugins`)"});
    }
    for (std::size_t i = 0; i < cfg.sinks.size(); ++i) {
        const config::SinkConfig& sink = cfg.sinks[i];
        std::string problem = registry.check_sink_config(sink.type, sink.options);
        if (problem.empty()) continue;
        issues.push_back({or_main_file(sink_problem_position(sink, problem), cfg), "sink[" + std::to_string(i) + "]",
                          std::move(problem),
                          "see the " + sink.type + " sink's README (`kamgw plugins` lists its keys)"});
    }
    check_paths(cfg, registry, who, issues);
    if (who.uid != ::geteuid()) check_readable(cfg, who, issues);
    return issues;
}

config::Config load_and_preflight(const std::filesystem::path& config_file, const host::PluginRegistry& registry,
                                  const ServiceIdentity& who) {
    config::Config cfg = config::load_config(config_file, registry);
    std::vector<config::ConfigIssue> issues = preflight(cfg, registry, who);
    if (!issues.empty()) throw config::ConfigErrors(std::move(issues));
    return cfg;
}

}  // namespace kamgw::app
