// The exit codes of every kamgw command, one meaning each, so a script can tell "the meter is
// away" from "the hub is away" from "your command line is wrong". The table below is what
// `kamgw --help`, each command's --help, the man page and the README show; a test holds the
// documents to it.
#pragma once

#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

#include <sysexits.h>

namespace kamgw::app {

namespace exit_code {
inline constexpr int ok = EX_OK;
// Outside the sysexits range on purpose: the meter answered, so no sysexits failure fits.
inline constexpr int partial = 3;
inline constexpr int usage = EX_USAGE;
inline constexpr int data_error = EX_DATAERR;
inline constexpr int meter_unavailable = EX_UNAVAILABLE;
inline constexpr int internal_error = EX_SOFTWARE;
inline constexpr int os_error = EX_OSERR;
inline constexpr int plugin_refused = EX_OSFILE;
inline constexpr int not_delivered = EX_TEMPFAIL;
inline constexpr int config_error = EX_CONFIG;
}  // namespace exit_code

struct ExitCodeInfo {
    int code;
    std::string_view meaning;
};

// Every code kamgw returns, in ascending order.
std::span<const ExitCodeInfo> exit_codes();

// "Exit status:\n  0   …\n" for the given codes (all of them when empty), for --help texts.
std::string exit_code_help(std::initializer_list<int> codes = {});

}  // namespace kamgw::app
