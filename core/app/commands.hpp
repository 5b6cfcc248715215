// The subcommands of the kamgw binary. Each lives in its own cmd_<name>.cpp, parses its own
// options with Boost.Program_options (argv[0] is the subcommand name) and returns an exit
// code from exit_codes.hpp.
#pragma once

#include <sysexits.h>

namespace kamgw::app {

int cmd_run(int argc, char** argv);           // run the daemon (the default)
int cmd_check(int argc, char** argv);         // validate the configuration and plugins
int cmd_read(int argc, char** argv);          // read a meter once and print the readings
int cmd_scan(int argc, char** argv);          // identify a meter and probe its registers
int cmd_align(int argc, char** argv);         // help place the optical head, live
int cmd_decode(int argc, char** argv);        // decode KMP frames given as hex
int cmd_registers(int argc, char** argv);     // print the register catalogue
int cmd_plugins(int argc, char** argv);       // list the plugins found
int cmd_sim(int argc, char** argv);           // run a simulated meter on a pty or TCP port
int cmd_addon_config(int argc, char** argv);  // write kamgw.toml from the Home Assistant add-on's options

}  // namespace kamgw::app
