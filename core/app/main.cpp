// kamgw: the Kamstrup meter gateway. Dispatches to a subcommand; `run` is the default.
#include <cstring>
#include <iostream>
#include <string_view>

#include "core/app/commands.hpp"
#include "core/app/exit_codes.hpp"
#include "core/base/version.hpp"

namespace {

struct Subcommand {
    std::string_view name;
    int (*handler)(int, char**);
    std::string_view summary;
};

constexpr Subcommand subcommands[] = {
    {"run", kamgw::app::cmd_run, "run the daemon (default); --once: one poll through every sink, then exit"},
    {"check", kamgw::app::cmd_check, "validate the configuration, load plugins, print what would run"},
    {"read", kamgw::app::cmd_read, "read a meter once and print the readings (table, --json, --csv)"},
    {"scan", kamgw::app::cmd_scan, "identify a meter and probe which registers it has"},
    {"align", kamgw::app::cmd_align, "help place the optical head: live answer rate until it is stable"},
    {"decode", kamgw::app::cmd_decode, "decode KMP frames given as hex or as a debug log"},
    {"registers", kamgw::app::cmd_registers, "print the register catalogue"},
    {"plugins", kamgw::app::cmd_plugins, "list the plugins found, their ABI, kind and config keys"},
    {"sim", kamgw::app::cmd_sim, "run a simulated meter on a pty or a TCP port"},
    {"addon-config", kamgw::app::cmd_addon_config, "write kamgw.toml from the Home Assistant add-on's options"},
};

void print_usage(std::ostream& out) {
    out << "Usage: kamgw [COMMAND] [OPTIONS]\n\n"
           "Reads Kamstrup heat, cooling and water meters over KMP and hands the readings to\n"
           "Home Assistant, InfluxDB, CSV and other sinks.\n\nCommands:\n";
    for (const auto& s : subcommands)
        out << "  " << s.name << std::string(14 - s.name.size(), ' ') << s.summary << '\n';
    out << "\nRun 'kamgw COMMAND --help' for the options of a command.\n"
           "Global: --help, --version\n\n"
        << kamgw::app::exit_code_help();
}

}  // namespace

int main(int argc, char** argv) {
    if (argc >= 2) {
        const std::string_view first = argv[1];
        if (first == "--version" || first == "-V") {
            std::cout << "kamgw " << kamgw::base::version << " (plugin ABI " << kamgw::base::plugin_abi << ")\n";
            return EX_OK;
        }
        if (first == "--help" || first == "-h" || first == "help") {
            print_usage(std::cout);
            return EX_OK;
        }
        for (const auto& s : subcommands)
            if (first == s.name) return s.handler(argc - 1, argv + 1);
        if (!first.empty() && first[0] != '-') {
            std::cerr << "kamgw: unknown command '" << first << "'\n\n";
            print_usage(std::cerr);
            return EX_USAGE;
        }
    }
    // No subcommand: options belong to `run`.
    argv[0] = const_cast<char*>("run");
    return kamgw::app::cmd_run(argc, argv);
}
