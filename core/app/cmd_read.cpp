// kamgw read: read one meter once and print the readings as a table, JSON Lines or CSV.
// The meter is a URL (any scheme a transport plugin serves) or a [[meter]] of the config.
// Whatever went wrong is said once, on stderr, and the exit code tells a script which case it
// was (exit_codes.hpp).
#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/program_options.hpp>
#include <iomanip>
#include <iostream>
#include <map>
#include <sstream>

#include "core/app/commands.hpp"
#include "core/app/exit_codes.hpp"
#include "core/base/logging.hpp"
#include "core/app/meter_target.hpp"
#include "core/base/paths.hpp"
#include "core/app/plugin_loading.hpp"
#include "core/config/config_loader.hpp"
#include "core/config/meter_url.hpp"
#include "core/kmp/register_catalogue.hpp"
#include "core/meter/meter_session.hpp"
#include "kamgw/reading_json.hpp"
#include "csv_format.hpp"

namespace po = boost::program_options;

namespace kamgw::app {
namespace {

// Pads to `width` columns; UTF-8 continuation bytes (the ³ in m³) take no column.
std::string padded(const std::string& text, std::size_t width) {
    std::size_t columns = 0;
    for (unsigned char c : text)
        if ((c & 0xC0) != 0x80) ++columns;
    return columns >= width ? text : text + std::string(width - columns, ' ');
}

void print_table(const ReadingBatch& batch, std::ostream& out) {
    out << batch.meter.model << " serial " << batch.meter.serial
        << (batch.meter.firmware.empty() ? "" : ", firmware " + batch.meter.firmware) << ", read "
        << csv::format_utc(batch.finished) << "\n";
    std::size_t key_width = 3, value_width = 5;
    for (const auto& r : batch.readings) {
        key_width = std::max(key_width, r.key.size());
        value_width = std::max(value_width, r.value.to_string().size());
    }
    out << std::left << std::setw(6) << "id" << std::setw(static_cast<int>(key_width) + 2) << "key" << std::right
        << std::setw(static_cast<int>(value_width)) << "value"
        << "  " << std::left << std::setw(11) << "unit"
        << "name\n";
    for (const auto& r : batch.readings) {
        out << std::left << std::setw(6) << r.register_id << std::setw(static_cast<int>(key_width) + 2) << r.key
            << std::right << std::setw(static_cast<int>(value_width)) << r.value.to_string() << "  " << std::left
            << padded(std::string(r.unit_symbol()), 11) << r.name << '\n';
    }
}

std::string_view missing_words(MissingReason reason) {
    switch (reason) {
        case MissingReason::not_supported:
            return "the meter has no such register";
        case MissingReason::no_answer:
            return "no answer";
        case MissingReason::bad_frame:
            return "the answer was garbled";
        case MissingReason::link_down:
            return "the link was lost";
    }
    return "missing";
}

// "1 of 3 registers did not come back: t3 (88): the meter has no such register"
std::string missing_sentence(const ReadingBatch& batch, const config::MeterConfig& meter) {
    std::map<MissingReason, std::string> by_reason;
    for (const auto& m : batch.missing) {
        std::string& list = by_reason[m.reason];
        list += (list.empty() ? "" : ", ") + m.key + " (" + std::to_string(m.register_id) + ")";
    }
    std::string out = std::to_string(batch.missing.size()) + " of " +
                      std::to_string(batch.missing.size() + batch.readings.size()) + " registers did not come back:";
    bool first = true;
    for (const auto& [reason, list] : by_reason) {
        out += std::string(first ? " " : "; ") + list + ": " + std::string(missing_words(reason));
        first = false;
    }
    if (by_reason.count(MissingReason::not_supported))
        out += " ('kamgw scan " + config::redact_url(meter.url) + "' lists what it has)";
    return out;
}

// The registers of --registers, or nullopt after naming the one that is unknown.
std::optional<std::vector<RegisterInfo>> parse_register_list(const std::string& text) {
    std::vector<RegisterInfo> registers;
    std::stringstream list(text);
    std::string token;
    while (std::getline(list, token, ',')) {
        token.erase(0, token.find_first_not_of(' '));
        token.erase(token.find_last_not_of(' ') + 1);
        if (token.empty()) continue;
        const auto info = kmp::resolve_register(token);
        if (!info) {
            std::cerr << "kamgw read: unknown register '" << token << "' (a key from 'kamgw registers' or a number)\n";
            return std::nullopt;
        }
        registers.push_back(*info);
    }
    return registers;
}

void print_batch(const ReadingBatch& batch, const po::variables_map& vm) {
    if (vm.count("json")) {
        for (const auto& r : batch.readings) std::cout << reading_json(batch.meter, r) << '\n';
    } else if (vm.count("csv")) {
        // The CSV sink's own columns, so a file started by hand continues the sink's file.
        const csv::CsvStyle style{.line_end = "\n"};
        std::cout << csv::format_header(style) << csv::format_rows({&batch, 1}, style);
    } else if (!batch.readings.empty()) {
        print_table(batch, std::cout);
    }
    std::cout.flush();
}

}  // namespace

int cmd_read(int argc, char** argv) {
    std::string url, meter_name, config_file = base::default_config_file, registers_text, timeout_text, log_level;
    std::vector<std::string> plugin_dirs;
    LineOptions line;
    po::options_description options(
        "kamgw read URL|--meter NAME [options]: read a meter once and print the readings.\n"
        "Problems go to stderr, one sentence each.\n\n" +
        exit_code_help({exit_code::ok, exit_code::partial, exit_code::usage, exit_code::meter_unavailable,
                        exit_code::internal_error, exit_code::config_error}) +
        "\nOptions");
    options.add_options()("help,h", "show this help")("meter", po::value(&meter_name)->value_name("NAME"),
                                                      "the [[meter]] of this name in the configuration")(
        "config,c", po::value(&config_file)->value_name("FILE"), "configuration file (for --meter and plugin_dirs)")(
        "registers,r", po::value(&registers_text)->value_name("LIST"),
        "comma-separated register keys or numbers (default: the meter's configured or the catalogue defaults)")(
        "json", "print JSON Lines, one object per reading")("csv",
                                                            "print CSV with a header line (the CSV sink's columns)")(
        "timeout", po::value(&timeout_text)->value_name("DURATION"), "first-byte timeout (default 2s)");
    add_line_options(options, line);
    options.add_options()("plugin-dir", po::value(&plugin_dirs)->value_name("DIR")->composing(),
                          "load plugins from DIR first")("verbose,v", "log the bytes sent and received (debug)")(
        "log-level", po::value(&log_level)->value_name("LEVEL"),
        "trace, debug, info, warn or error (default: only the outcome and other warnings)");
    po::positional_options_description positional;
    positional.add("url", 1);
    options.add_options()("url", po::value(&url)->value_name("URL"), "meter URL, e.g. sim://multical403");
    po::variables_map vm;
    if (const auto done = parse_command_line(argc, argv, options, positional, vm, "read")) return *done;
    if (vm.count("verbose")) log_level = "debug";
    if (!base::init_logging(log_level.empty() ? "warn" : log_level, false)) {
        std::cerr << "kamgw read: unknown log level '" << log_level << "'\n";
        return exit_code::usage;
    }
    if (url.empty() == meter_name.empty()) {
        std::cerr << "kamgw read: give either a meter URL or --meter NAME\n\n" << options;
        return exit_code::usage;
    }
    if (vm.count("json") && vm.count("csv")) {
        std::cerr << "kamgw read: --json and --csv exclude each other\n";
        return exit_code::usage;
    }

    std::vector<std::filesystem::path> extra(plugin_dirs.begin(), plugin_dirs.end());
    auto registry = load_plugins(config_file, extra);
    for (const auto& p : registry->problems()) std::cerr << "warning: " << p.message << '\n';

    config::MeterConfig meter;
    if (const auto failed =
            resolve_meter(url, meter_name, config_file, *registry, timeout_text, line, "read", std::cerr, meter))
        return *failed;

    const auto asked = registers_text.empty() ? std::optional(meter::configured_registers(meter))
                                              : parse_register_list(registers_text);
    if (!asked) return exit_code::usage;
    if (asked->empty()) {
        std::cerr << "kamgw read: no registers to read\n";
        return exit_code::usage;
    }

    // The outcome below is the one sentence about this read; the session's own warnings would
    // say the same again. An explicit --log-level shows them.
    if (log_level.empty()) base::make_logger("meter " + meter.name)->set_level(spdlog::level::err);
    meter::SessionTuning tuning;
    tuning.warn_missing_registers = false;

    boost::asio::io_context io;
    const host::PluginRegistry& reg = *registry;
    meter::TransportFactory factory = [&reg, scheme = meter.endpoint.scheme](const TransportContext& ctx) {
        return reg.make_transport(scheme, ctx);
    };
    MeterStatus status;
    ReadingBatch batch;
    std::exception_ptr failure;
    boost::asio::co_spawn(io, meter::read_once(io.get_executor(), meter, factory, *asked, &status, tuning),
                          [&](std::exception_ptr e, ReadingBatch b) {
                              failure = e;
                              batch = std::move(b);
                          });
    io.run();
    if (failure) {
        try {
            std::rethrow_exception(failure);
        } catch (const std::exception& e) {
            std::cerr << "kamgw read: " << e.what() << '\n';
        }
        return exit_code::internal_error;
    }

    print_batch(batch, vm);
    if (batch.readings.empty() && status.health != MeterHealth::ok) {
        std::cerr << "kamgw read: " << (status.detail.empty() ? "no readings" : status.detail) << '\n';
        return exit_code::meter_unavailable;
    }
    if (!batch.missing.empty()) {
        std::string also;
        if (status.health != MeterHealth::ok) {
            // The detail names the meter too; once is enough.
            also = "; " + status.detail;
            const std::string prefix = "; meter " + meter.name + ": ";
            if (also.rfind(prefix, 0) == 0) also.replace(0, prefix.size(), "; ");
        }
        std::cerr << "kamgw read: meter " << meter.name << ": " << missing_sentence(batch, meter) << also << '\n';
        return exit_code::partial;
    }
    return exit_code::ok;
}

}  // namespace kamgw::app
