// kamgw scan: identify a meter and probe the whole register catalogue, 8 registers per
// request, to show which registers this meter has (and their units and current values).
#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/program_options.hpp>
#include <iomanip>
#include <iostream>

#include "core/app/commands.hpp"
#include "core/app/exit_codes.hpp"
#include "core/base/logging.hpp"
#include "core/app/meter_target.hpp"
#include "core/base/paths.hpp"
#include "core/app/plugin_loading.hpp"
#include "core/app/reading_json.hpp"
#include "core/base/terminal.hpp"
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
    std::vector<MissingRegister> missing;
    SessionCounters counters;

    [[nodiscard]] std::size_t absent() const {
        return static_cast<std::size_t>(std::count_if(missing.begin(), missing.end(), [](const MissingRegister& m) {
            return m.reason == MissingReason::not_supported;
        }));
    }
    [[nodiscard]] std::size_t unanswered() const { return missing.size() - absent(); }
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
    bool link_lost = false;
    for (std::size_t first = 0; first < total; first += kmp::max_registers_per_request) {
        const std::size_t count = std::min(kmp::max_registers_per_request, total - first);
        std::vector<RegisterInfo> chunk(catalogue.begin() + static_cast<std::ptrdiff_t>(first),
                                        catalogue.begin() + static_cast<std::ptrdiff_t>(first + count));
        if (link_lost) {
            for (const auto& info : chunk)
                result.missing.push_back({info.id, std::string(info.key), MissingReason::link_down});
            continue;
        }
        const ReadingBatch batch = co_await session.poll(std::move(chunk));
        result.found.insert(result.found.end(), batch.readings.begin(), batch.readings.end());
        result.missing.insert(result.missing.end(), batch.missing.begin(), batch.missing.end());
        if (progress)
            std::cerr << "\rprobed " << first + count << " of " << total << " registers, " << result.found.size()
                      << " found" << std::flush;
        link_lost = session.health() == MeterHealth::link_down;
    }
    if (progress) std::cerr << '\n';
    session.close();
    result.detail = session.detail();
    result.counters = session.counters();
    co_return result;
}

void print_text(const ScanResult& result) {
    std::cout << result.identity.model << " serial " << result.identity.serial
              << (result.identity.firmware.empty() ? "" : ", firmware " + result.identity.firmware) << ": "
              << result.found.size() << " registers found, " << result.absent() << " absent";
    if (result.unanswered()) std::cout << ", " << result.unanswered() << " unanswered (retry the scan)";
    std::cout << " (" << result.counters.requests << " requests)\n";
    for (const auto& r : result.found)
        std::cout << std::left << std::setw(6) << r.register_id << std::setw(28) << r.key << std::right << std::setw(14)
                  << r.value.to_string() << "  " << unit_column(std::string(r.unit_symbol())) << r.name << '\n';
}

// Catalogue order, found or not, so a script sees every register probed.
void print_json(const ScanResult& result) {
    for (const auto& info : kmp::register_catalogue()) {
        const auto found = std::find_if(result.found.begin(), result.found.end(),
                                        [&](const Reading& r) { return r.register_id == info.id; });
        if (found != result.found.end()) {
            std::cout << probed_json(result.identity, *found) << '\n';
            continue;
        }
        const auto missing = std::find_if(result.missing.begin(), result.missing.end(),
                                          [&](const MissingRegister& m) { return m.register_id == info.id; });
        if (missing != result.missing.end()) std::cout << probed_json(result.identity, *missing) << '\n';
    }
}

}  // namespace

int cmd_scan(int argc, char** argv) {
    std::string url, config_file = base::default_config_file, timeout_text;
    std::vector<std::string> plugin_dirs;
    LineOptions line;
    po::options_description options(
        "kamgw scan URL [options]: identify a meter and probe which catalogue registers it has.\n"
        "Progress goes to stderr when it is a terminal.\n\n" +
        exit_code_help({exit_code::ok, exit_code::partial, exit_code::usage, exit_code::meter_unavailable,
                        exit_code::internal_error}) +
        "\nOptions");
    options.add_options()("help,h", "show this help")("config,c", po::value(&config_file)->value_name("FILE"),
                                                      "configuration file (for plugin_dirs)")(
        "json", "print JSON Lines: one object per catalogue register, with its status")(
        "timeout", po::value(&timeout_text)->value_name("DURATION"), "first-byte timeout (default 2s)");
    add_line_options(options, line);
    options.add_options()("plugin-dir", po::value(&plugin_dirs)->value_name("DIR")->composing(),
                          "load plugins from DIR first")("quiet,q", "no progress, even on a terminal")(
        "verbose,v", "log the bytes sent and received (debug)")("url", po::value(&url)->value_name("URL"), "meter URL");
    po::positional_options_description positional;
    positional.add("url", 1);
    po::variables_map vm;
    if (const auto done = parse_command_line(argc, argv, options, positional, vm, "scan")) return *done;
    const bool verbose = vm.count("verbose") != 0;
    base::init_logging(verbose ? "debug" : "warn", false);
    if (url.empty()) {
        std::cerr << "kamgw scan: give the meter URL, e.g. kamgw scan /dev/ttyUSB0\n\n" << options;
        return exit_code::usage;
    }

    std::vector<std::filesystem::path> extra(plugin_dirs.begin(), plugin_dirs.end());
    auto registry = load_plugins(config_file, extra);
    for (const auto& p : registry->problems()) std::cerr << "warning: " << p.message << '\n';

    auto target = meter_from_url(url, *registry, "scan", std::cerr);
    if (!target || !apply_timeout(timeout_text, *target, "scan", std::cerr) ||
        !apply_line_options(line, *target, "scan", std::cerr))
        return exit_code::usage;
    const config::MeterConfig meter = std::move(*target);
    // The result below says what went wrong, once; --verbose shows the session's own account.
    if (!verbose) base::make_logger("meter " + meter.name)->set_level(spdlog::level::err);

    boost::asio::io_context io;
    const host::PluginRegistry& reg = *registry;
    meter::TransportFactory factory = [&reg, scheme = meter.endpoint.scheme](const TransportContext& ctx) {
        return reg.make_transport(scheme, ctx);
    };
    ScanResult result;
    std::exception_ptr failure;
    const bool progress = vm.count("quiet") == 0 && base::stderr_is_terminal();
    boost::asio::co_spawn(io, scan(io.get_executor(), meter, factory, progress),
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
        return exit_code::internal_error;
    }
    if (!result.identified) {
        std::cerr << "kamgw scan: " << result.detail << '\n';
        return exit_code::meter_unavailable;
    }
    if (vm.count("json"))
        print_json(result);
    else
        print_text(result);
    std::cout.flush();
    if (result.unanswered()) {
        std::cerr << "kamgw scan: meter " << meter.name << ": " << result.unanswered()
                  << " registers were not answered; retry the scan\n";
        return exit_code::partial;
    }
    return exit_code::ok;
}

}  // namespace kamgw::app
