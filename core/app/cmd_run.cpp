#include <boost/program_options.hpp>
#include <cstdlib>
#include <iostream>

#include "core/app/commands.hpp"
#include "core/app/daemon.hpp"
#include "core/app/exit_codes.hpp"
#include "core/base/logging.hpp"
#include "core/base/paths.hpp"

namespace po = boost::program_options;

namespace kamgw::app {

int cmd_run(int argc, char** argv) {
    std::string config_file = base::default_config_file;
    std::string log_level;
    std::vector<std::string> plugin_dirs;
    po::options_description options(
        "kamgw run [-c FILE] [--once]: run the daemon (the default command).\n"
        "With --once: read every configured meter once, hand the readings to every configured sink\n"
        "through the journal as the daemon does, wait up to [gateway] shutdown_timeout for the sinks,\n"
        "and exit.\n\n" +
        exit_code_help({exit_code::ok, exit_code::partial, exit_code::usage, exit_code::meter_unavailable,
                        exit_code::not_delivered, exit_code::config_error}) +
        "(3, 69 and 75 only with --once)\n\nOptions");
    options.add_options()("help,h", "show this help")(
        "config,c", po::value(&config_file)->value_name("FILE"),
        (std::string("configuration file; drop-ins are read from conf.d/ beside it (default ") +
         base::default_config_file + ")")
            .c_str())("log-level", po::value(&log_level)->value_name("LEVEL"),
                      "trace, debug, info, warn or error; overrides [gateway] log_level")(
        "plugin-dir", po::value(&plugin_dirs)->value_name("DIR")->composing(),
        "load plugins from DIR first (repeatable)")("once", "one poll of every meter through every sink, then exit");
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(argc, argv).options(options).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        std::cerr << "kamgw run: " << e.what() << "\n\n" << options;
        return EX_USAGE;
    }
    if (vm.count("help")) {
        std::cout << options;
        return EX_OK;
    }
    // Under systemd the journal adds time stamps and the unit name; a terminal gets its own.
    const bool journal = std::getenv("JOURNAL_STREAM") != nullptr;
    if (!base::init_logging(log_level.empty() ? "info" : log_level, journal)) {
        std::cerr << "kamgw run: unknown log level '" << log_level << "'; accepted: trace, debug, info, warn, error\n";
        return EX_USAGE;
    }
    DaemonOptions daemon_options;
    daemon_options.config_file = config_file;
    daemon_options.log_level = log_level;
    daemon_options.once = vm.count("once") != 0;
    for (const auto& d : plugin_dirs) daemon_options.extra_plugin_dirs.emplace_back(d);
    Daemon daemon(std::move(daemon_options));
    return daemon.run();
}

}  // namespace kamgw::app
