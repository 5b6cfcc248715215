#include <unistd.h>

#include <boost/program_options.hpp>
#include <iostream>

#include "core/app/commands.hpp"
#include "core/app/exit_codes.hpp"
#include "core/app/fd_limit.hpp"
#include "core/base/paths.hpp"
#include "core/app/plugin_loading.hpp"
#include "core/app/preflight.hpp"
#include "core/config/config_loader.hpp"
#include "core/config/config_summary.hpp"
#include "core/config/duration.hpp"
#include "core/config/meter_url.hpp"

namespace po = boost::program_options;

namespace kamgw::app {
namespace {

// The user the service will run as: --user, else the packaged user when check runs as root
// and that user exists, else whoever runs check.
std::optional<ServiceIdentity> service_user(const std::string& requested) {
    if (!requested.empty()) return ServiceIdentity::from_name(requested);
    if (::geteuid() == 0)
        if (auto packaged = ServiceIdentity::from_name(std::string(packaged_service_user))) return packaged;
    return ServiceIdentity::of_this_process();
}

void print_plan(const config::Config& cfg, const host::PluginRegistry& registry, const ServiceIdentity& user) {
    std::cout << "configuration OK: ";
    for (std::size_t i = 0; i < cfg.files.size(); ++i) std::cout << (i ? ", " : "") << cfg.files[i].string();
    std::cout << "\ngateway '" << cfg.gateway.id << "', log level " << cfg.gateway.log_level << ", state in "
              << cfg.gateway.state_dir.string() << "\nfiles, folders and URLs checked for the user " << user.name
              << " (uid " << user.uid << ")\n\n";
    std::cout << cfg.meters.size() << " meter(s):\n";
    if (cfg.meters.empty())
        std::cout << "  none: kamgw will start but read nothing; add a [[meter]] table (url, interval, registers)\n";
    for (const auto& m : cfg.meters) {
        const PluginDescriptor* t = registry.transport_for_scheme(m.endpoint.scheme);
        std::cout << "  " << m.name << "  " << config::redact_url(m.url) << "  via transport-"
                  << (t ? std::string(t->name) : "?") << ", every " << config::format_duration(m.interval)
                  << (m.align ? " (aligned to the clock)" : "") << ", timeout " << config::format_duration(m.timeout)
                  << ", " << m.line.baud << " baud " << m.line.data_bits << m.line.parity << m.line.stop_bits
                  << "\n    registers:";
        for (const auto& r : m.registers) {
            std::cout << ' ' << r.info.key;
            if (r.every.count() > 0) std::cout << " (every " << config::format_duration(r.every) << ')';
        }
        std::cout << '\n';
    }
    std::cout << '\n' << cfg.sinks.size() << " sink(s):\n";
    if (cfg.sinks.empty()) std::cout << "  none: readings are read and then dropped; add a [[sink]] table\n";
    for (const auto& s : cfg.sinks) {
        const PluginDescriptor* d = registry.sink(s.type);
        std::cout << "  " << s.name << "  type " << s.type << (d ? " (" + std::string(d->summary) + ")" : "") << '\n';
        for (const auto& [key, value] : s.options.values()) {
            const ConfigKey* schema = nullptr;
            if (d)
                for (const auto& k : d->config)
                    if (k.key == key) schema = &k;
            std::cout << "    " << key << " = ";
            if (schema && schema->type == ConfigType::secret) {
                std::cout << "(secret)";
            } else {
                std::cout << config::format_config_value(value);
            }
            std::cout << '\n';
        }
    }
}

// The daemon raises its soft limit to the hard one, so the hard limit is what counts.
void warn_fd_limit(const config::Config& cfg) {
    const FdLimit limit = current_fd_limit();
    const auto needed = fds_needed(cfg.meters.size(), cfg.sinks.size());
    if (limit.error.empty() && needed > limit.hard)
        std::cerr << "warning: " << cfg.meters.size() << " meter(s) and " << cfg.sinks.size() << " sink(s) need about "
                  << needed << " open files, but this process may have at most " << limit.hard
                  << " (RLIMIT_NOFILE); kamgw.service sets LimitNOFILE=65536, raise it there (or with ulimit -Hn) "
                     "or the meters past the limit will not be read\n";
}

}  // namespace

int cmd_check(int argc, char** argv) {
    std::string config_file = base::default_config_file;
    std::vector<std::string> plugin_dirs;
    std::string user_name;
    po::options_description options(
        "kamgw check [-c FILE]: validate the configuration, load the plugins and print what would run.\n"
        "Exits 0 when kamgw would start.\n\n" +
        exit_code_help({exit_code::ok, exit_code::usage, exit_code::config_error}) + "\nOptions");
    options.add_options()("help,h", "show this help")("config,c", po::value(&config_file)->value_name("FILE"),
                                                      "configuration file (conf.d/ beside it is read too)")(
        "plugin-dir", po::value(&plugin_dirs)->value_name("DIR")->composing(), "load plugins from DIR first")(
        "user", po::value(&user_name)->value_name("NAME"),
        "check that NAME can read and write what the daemon needs (default: _kamgw when run as root and that "
        "user exists, else the current user)");
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(argc, argv).options(options).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        std::cerr << "kamgw check: " << e.what() << "\n\n" << options;
        return EX_USAGE;
    }
    if (vm.count("help")) {
        std::cout << options;
        return EX_OK;
    }
    const auto user = service_user(user_name);
    if (!user) {
        std::cerr << "kamgw check: there is no user '" << user_name << "'\n";
        return EX_USAGE;
    }
    std::vector<std::filesystem::path> extra(plugin_dirs.begin(), plugin_dirs.end());
    auto registry = load_plugins(config_file, extra);
    for (const auto& p : registry->problems()) std::cerr << "warning: " << p.message << '\n';
    try {
        const auto cfg = load_and_preflight(config_file, *registry, *user);
        print_plan(cfg, *registry, *user);
        warn_fd_limit(cfg);
    } catch (const std::exception& e) {
        std::cerr << e.what() << '\n';
        return EX_CONFIG;
    }
    return EX_OK;
}

}  // namespace kamgw::app
