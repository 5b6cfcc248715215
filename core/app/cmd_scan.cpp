// kamgw scan: identify a meter and probe the whole register catalogue, 8 registers per
// request, to show which registers this meter has (and their units and current values).
#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/program_options.hpp>
#include <iomanip>
#include <iostream>

#include "core/app/commands.hpp"
#include "core/app/logging.hpp"
#include "core/app/paths.hpp"
#include "core/app/plugin_loading.hpp"
#include "core/config/duration.hpp"
#include "core/config/meter_url.hpp"
#include "core/config/schema_validator.hpp"
#include "core/kmp/commands.hpp"
#include "core/kmp/register_catalogue.hpp"
#include "core/meter/meter_session.hpp"

namespace po = boost::program_options;

namespace kamgw::app {
namespace {

// Pads to 11 columns; UTF-8 continuation bytes (the ³ in m³) take no column.
std::string unit_column(const std::string& text) {
    std::size_t columns = 0;
    for (unsigned char c : text)
        if ((c & 0xC0) != 0x80) ++columns;
    return columns >= 11 ? text + " " : text + std::string(11 - columns, ' ');
}

struct ScanResult {
    bool identified = false;
    std::string detail;
    MeterIdentity identity;
    std::vector<Reading> found;
    std::size_t absent = 0, unanswered = 0;
    SessionCounters counters;
};

boost::asio::awaitable<ScanResult> scan(boost::asio::any_io_executor ex, config::MeterConfig cfg,
                                        meter::TransportFactory factory, bool progress) {
    ScanResult result;
    meter::SessionTuning tuning;
    tuning.warn_missing_registers = false;  // registers the meter lacks are what a scan reports
    meter::MeterSession session(ex, std::move(cfg), std::move(factory), tuning);
    if (!co_await session.connect()) {
        result.detail = session.detail();
        result.counters = session.counters();
        co_return result;
    }
    result.identified = true;
    result.identity = session.identity();
    if (progress)
        std::cerr << "identified " << result.identity.model << " serial " << result.identity.serial << " (meter type 0x"
                  << std::hex << std::setw(4) << std::setfill('0') << result.identity.meter_type << std::dec
                  << std::setfill(' ') << ")\n";
    const auto catalogue = kmp::register_catalogue();
    const std::size_t total = catalogue.size();
    for (std::size_t first = 0; first < total; first += kmp::max_registers_per_request) {
        const std::size_t count = std::min(kmp::max_registers_per_request, total - first);
        std::vector<RegisterInfo> chunk(catalogue.begin() + static_cast<std::ptrdiff_t>(first),
                                        catalogue.begin() + static_cast<std::ptrdiff_t>(first + count));
        const ReadingBatch batch = co_await session.poll(std::move(chunk));
        for (const auto& r : batch.readings) result.found.push_back(r);
        for (const auto& m : batch.missing) {
            if (m.reason == MissingReason::not_supported)
                ++result.absent;
            else
                ++result.unanswered;
        }
        if (progress)
            std::cerr << "\rprobed " << first + count << " of " << total << " registers, " << result.found.size()
                      << " found" << std::flush;
        if (session.health() == MeterHealth::link_down) break;
    }
    if (progress) std::cerr << '\n';
    session.close();
    result.detail = session.detail();
    result.counters = session.counters();
    co_return result;
}

}  // namespace

int cmd_scan(int argc, char** argv) {
    std::string url, config_file = default_config_file, timeout_text, log_level = "warn";
    std::vector<std::string> plugin_dirs;
    po::options_description options(
        "kamgw scan URL [options]: identify a meter and probe which catalogue registers it has.\n"
        "Exits 0 when the meter was identified, 69 when it did not answer, 64 on usage errors");
    options.add_options()("help,h", "show this help")("config,c", po::value(&config_file)->value_name("FILE"),
                                                      "configuration file (for plugin_dirs)")(
        "timeout", po::value(&timeout_text)->value_name("DURATION"), "first-byte timeout (default 2s)")(
        "plugin-dir", po::value(&plugin_dirs)->value_name("DIR")->composing(), "load plugins from DIR first")(
        "quiet,q", "no progress on stderr")("verbose,v", "log the bytes sent and received (debug)")(
        "url", po::value(&url)->value_name("URL"), "meter URL");
    po::positional_options_description positional;
    positional.add("url", 1);
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(argc, argv).options(options).positional(positional).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        std::cerr << "kamgw scan: " << e.what() << "\n\n" << options;
        return EX_USAGE;
    }
    if (vm.count("help")) {
        std::cout << options;
        return EX_OK;
    }
    if (vm.count("verbose")) log_level = "debug";
    init_logging(log_level, false);
    if (url.empty()) {
        std::cerr << "kamgw scan: give the meter URL, e.g. kamgw scan /dev/ttyUSB0\n\n" << options;
        return EX_USAGE;
    }

    std::vector<std::filesystem::path> extra(plugin_dirs.begin(), plugin_dirs.end());
    auto registry = load_plugins(config_file, extra);
    for (const auto& p : registry->problems()) std::cerr << "warning: " << p.message << '\n';

    std::string why;
    const auto endpoint = config::parse_endpoint(url, &why);
    if (!endpoint) {
        std::cerr << "kamgw scan: '" << config::redact_url(url) << "' is no meter URL: " << why << '\n';
        return EX_USAGE;
    }
    const PluginDescriptor* plugin = registry->transport_for_scheme(endpoint->scheme);
    if (!plugin) {
        std::cerr << "kamgw scan: no transport plugin serves '" << endpoint->scheme << "://'; see 'kamgw plugins'\n";
        return EX_USAGE;
    }
    config::MeterConfig meter;
    std::vector<config::ConfigIssue> issues;
    meter.transport_options = config::validate_string_options(endpoint->query, plugin->config, "url", issues);
    for (const auto& issue : issues)
        std::cerr << "kamgw scan: URL option " << issue.key << ": " << issue.message
                  << (issue.accepted.empty() ? "" : "; accepted: " + issue.accepted) << '\n';
    if (!issues.empty()) return EX_USAGE;
    meter.name = endpoint->host.empty() ? "meter" : endpoint->host;
    meter.url = url;
    meter.endpoint = *endpoint;
    if (!timeout_text.empty()) {
        const auto d = config::parse_duration(timeout_text, &why);
        if (!d || d->count() <= 0) {
            std::cerr << "kamgw scan: --timeout: " << (why.empty() ? "must be positive" : why) << '\n';
            return EX_USAGE;
        }
        meter.timeout = *d;
    }

    boost::asio::io_context io;
    const host::PluginRegistry& reg = *registry;
    meter::TransportFactory factory = [&reg, scheme = meter.endpoint.scheme](const TransportContext& ctx) {
        return reg.make_transport(scheme, ctx);
    };
    ScanResult result;
    std::exception_ptr failure;
    boost::asio::co_spawn(io, scan(io.get_executor(), meter, factory, vm.count("quiet") == 0),
                          [&](std::exception_ptr e, ScanResult r) {
                              failure = e;
                              result = std::move(r);
                          });
    io.run();
    if (failure) {
        try {
            std::rethrow_exception(failure);
        } catch (const std::exception& e) {
            std::cerr << "kamgw scan: " << e.what() << '\n';
        }
        return EX_SOFTWARE;
    }
    if (!result.identified) {
        std::cerr << "kamgw scan: " << result.detail << '\n';
        return EX_UNAVAILABLE;
    }
    std::cout << result.identity.model << " serial " << result.identity.serial
              << (result.identity.firmware.empty() ? "" : ", firmware " + result.identity.firmware) << ": "
              << result.found.size() << " registers found, " << result.absent << " absent";
    if (result.unanswered) std::cout << ", " << result.unanswered << " unanswered (retry the scan)";
    std::cout << " (" << result.counters.requests << " requests)\n";
    for (const auto& r : result.found)
        std::cout << std::left << std::setw(6) << r.register_id << std::setw(28) << r.key << std::right << std::setw(14)
                  << r.value.to_string() << "  " << unit_column(std::string(r.unit_symbol())) << r.name << '\n';
    return EX_OK;
}

}  // namespace kamgw::app
