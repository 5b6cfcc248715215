// kamgw read: read one meter once and print the readings as a table, JSON Lines or CSV.
// The meter is a URL (any scheme a transport plugin serves) or a [[meter]] of the config.
#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/program_options.hpp>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/app/commands.hpp"
#include "core/app/logging.hpp"
#include "core/app/paths.hpp"
#include "core/app/plugin_loading.hpp"
#include "core/config/config_loader.hpp"
#include "core/config/duration.hpp"
#include "core/config/meter_url.hpp"
#include "core/config/schema_validator.hpp"
#include "core/kmp/register_catalogue.hpp"
#include "core/meter/meter_session.hpp"

namespace po = boost::program_options;

namespace kamgw::app {
namespace {

std::string iso_time(TimePoint t) {
    const auto secs = std::chrono::floor<std::chrono::seconds>(t);
    const std::time_t tt = Clock::to_time_t(secs);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

std::string csv_field(const std::string& s) {
    if (s.find_first_of(",\"\n") == std::string::npos) return s;
    std::string out = "\"";
    for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

// The value exactly as the meter sent it, as a JSON number.
std::string json_line(const ReadingBatch& batch, const Reading& r) {
    std::string out = "{\"meter\":" + nlohmann::json(batch.meter.name).dump();
    out += ",\"serial\":" + nlohmann::json(batch.meter.serial).dump();
    out += ",\"model\":" + nlohmann::json(batch.meter.model).dump();
    out += ",\"id\":" + std::to_string(r.register_id);
    out += ",\"key\":" + nlohmann::json(r.key).dump();
    out += ",\"name\":" + nlohmann::json(r.name).dump();
    out += ",\"value\":" + r.value.to_string();
    out += ",\"unit\":" + nlohmann::json(std::string(r.unit_symbol())).dump();
    out += ",\"unit_code\":" + std::to_string(r.unit_code);
    out += ",\"quantity\":" + nlohmann::json(std::string(quantity_name(r.quantity))).dump();
    out += ",\"time\":\"" + iso_time(r.time) + "\"}";
    return out;
}

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
        << iso_time(batch.finished) << "\n";
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

struct Target {
    config::MeterConfig meter;
    bool ok = false;
};

// A [[meter]] from the configuration, or a meter described by its URL alone.
Target resolve_target(const std::string& url, const std::string& meter_name, const std::string& config_file,
                      const host::PluginRegistry& registry) {
    Target t;
    if (!meter_name.empty()) {
        const auto cfg = config::load_config(config_file, registry);
        for (const auto& m : cfg.meters) {
            if (m.name != meter_name) continue;
            t.meter = m;
            t.ok = true;
            return t;
        }
        std::cerr << "kamgw: no [[meter]] named '" << meter_name << "' in " << config_file << " (configured:";
        for (const auto& m : cfg.meters) std::cerr << ' ' << m.name;
        std::cerr << ")\n";
        return t;
    }
    std::string why;
    const auto endpoint = config::parse_endpoint(url, &why);
    if (!endpoint) {
        std::cerr << "kamgw: '" << config::redact_url(url) << "' is no meter URL: " << why << '\n';
        return t;
    }
    const PluginDescriptor* plugin = registry.transport_for_scheme(endpoint->scheme);
    if (!plugin) {
        std::cerr << "kamgw: no transport plugin serves '" << endpoint->scheme << "://' (served:";
        for (const auto& s : registry.url_schemes()) std::cerr << ' ' << s;
        std::cerr << "); see 'kamgw plugins'\n";
        return t;
    }
    std::vector<config::ConfigIssue> issues;
    t.meter.transport_options = config::validate_string_options(endpoint->query, plugin->config, "url", issues);
    if (!issues.empty()) {
        for (const auto& issue : issues)
            std::cerr << "kamgw: URL option " << issue.key << ": " << issue.message
                      << (issue.accepted.empty() ? "" : "; accepted: " + issue.accepted) << '\n';
        return t;
    }
    t.meter.name = endpoint->host.empty() ? "meter" : endpoint->host;
    t.meter.url = url;
    t.meter.endpoint = *endpoint;
    t.meter.line_group = config::default_line_group(*endpoint);
    t.ok = true;
    return t;
}

}  // namespace

int cmd_read(int argc, char** argv) {
    std::string url, meter_name, config_file = default_config_file, registers_text, timeout_text, log_level = "warn";
    std::vector<std::string> plugin_dirs;
    po::options_description options(
        "kamgw read URL|--meter NAME [options]: read a meter once and print the readings.\n"
        "Exits 0 when readings came back, 69 when the meter did not answer, 64 on usage errors");
    options.add_options()("help,h", "show this help")("meter", po::value(&meter_name)->value_name("NAME"),
                                                      "the [[meter]] of this name in the configuration")(
        "config,c", po::value(&config_file)->value_name("FILE"), "configuration file (for --meter and plugin_dirs)")(
        "registers,r", po::value(&registers_text)->value_name("LIST"),
        "comma-separated register keys or numbers (default: the meter's configured or the catalogue defaults)")(
        "json", "print JSON Lines, one object per reading")("csv", "print CSV with a header line")(
        "timeout", po::value(&timeout_text)->value_name("DURATION"), "first-byte timeout (default 2s)")(
        "plugin-dir", po::value(&plugin_dirs)->value_name("DIR")->composing(), "load plugins from DIR first")(
        "verbose,v", "log the bytes sent and received (debug)")("log-level", po::value(&log_level)->value_name("LEVEL"),
                                                                "trace, debug, info, warn (default), error");
    po::positional_options_description positional;
    positional.add("url", 1);
    options.add_options()("url", po::value(&url)->value_name("URL"), "meter URL, e.g. sim://multical403");
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(argc, argv).options(options).positional(positional).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        std::cerr << "kamgw read: " << e.what() << "\n\n" << options;
        return EX_USAGE;
    }
    if (vm.count("help")) {
        std::cout << options;
        return EX_OK;
    }
    if (vm.count("verbose")) log_level = "debug";
    if (!init_logging(log_level, false)) {
        std::cerr << "kamgw read: unknown log level '" << log_level << "'\n";
        return EX_USAGE;
    }
    if (url.empty() == meter_name.empty()) {
        std::cerr << "kamgw read: give either a meter URL or --meter NAME\n\n" << options;
        return EX_USAGE;
    }
    if (vm.count("json") && vm.count("csv")) {
        std::cerr << "kamgw read: --json and --csv exclude each other\n";
        return EX_USAGE;
    }

    std::vector<std::filesystem::path> extra(plugin_dirs.begin(), plugin_dirs.end());
    auto registry = load_plugins(config_file, extra);
    for (const auto& p : registry->problems()) std::cerr << "warning: " << p.message << '\n';

    Target target;
    try {
        target = resolve_target(url, meter_name, config_file, *registry);
    } catch (const std::exception& e) {
        std::cerr << e.what() << '\n';
        return EX_CONFIG;
    }
    if (!target.ok) return EX_USAGE;
    config::MeterConfig& meter = target.meter;

    if (!timeout_text.empty()) {
        std::string why;
        const auto d = config::parse_duration(timeout_text, &why);
        if (!d || d->count() <= 0) {
            std::cerr << "kamgw read: --timeout: " << (why.empty() ? "must be positive" : why) << '\n';
            return EX_USAGE;
        }
        meter.timeout = *d;
    }

    std::vector<RegisterInfo> registers;
    if (!registers_text.empty()) {
        std::stringstream list(registers_text);
        std::string token;
        while (std::getline(list, token, ',')) {
            token.erase(0, token.find_first_not_of(' '));
            token.erase(token.find_last_not_of(' ') + 1);
            if (token.empty()) continue;
            const auto info = kmp::resolve_register(token);
            if (!info) {
                std::cerr << "kamgw read: unknown register '" << token
                          << "' (a key from 'kamgw registers' or a number)\n";
                return EX_USAGE;
            }
            registers.push_back(*info);
        }
    } else {
        for (const auto& r : meter.registers) registers.push_back(r.info);
        if (registers.empty())
            for (auto id : kmp::default_registers())
                if (const auto* info = kmp::find_register(id)) registers.push_back(*info);
    }
    if (registers.empty()) {
        std::cerr << "kamgw read: no registers to read\n";
        return EX_USAGE;
    }

    boost::asio::io_context io;
    const host::PluginRegistry& reg = *registry;
    meter::TransportFactory factory = [&reg, scheme = meter.endpoint.scheme](const TransportContext& ctx) {
        return reg.make_transport(scheme, ctx);
    };
    MeterStatus status;
    ReadingBatch batch;
    std::exception_ptr failure;
    boost::asio::co_spawn(io, meter::read_once(io.get_executor(), meter, factory, registers, &status),
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
        return EX_SOFTWARE;
    }

    if (vm.count("json")) {
        for (const auto& r : batch.readings) std::cout << json_line(batch, r) << '\n';
    } else if (vm.count("csv")) {
        std::cout << "meter,serial,id,key,value,unit,time\n";
        for (const auto& r : batch.readings)
            std::cout << csv_field(batch.meter.name) << ',' << batch.meter.serial << ',' << r.register_id << ','
                      << r.key << ',' << r.value.to_string() << ',' << csv_field(std::string(r.unit_symbol())) << ','
                      << iso_time(r.time) << '\n';
    } else if (!batch.readings.empty()) {
        print_table(batch, std::cout);
    }
    std::cout.flush();
    for (const auto& m : batch.missing)
        std::cerr << "missing: " << m.key << " (" << m.register_id << "): " << missing_reason_name(m.reason) << '\n';
    if (batch.readings.empty()) {
        std::cerr << "kamgw read: " << (status.detail.empty() ? "no readings" : status.detail) << '\n';
        return EX_UNAVAILABLE;
    }
    return EX_OK;
}

}  // namespace kamgw::app
