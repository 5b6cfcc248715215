// The meter a one-shot command (read, scan) talks to: a URL, with the same line options as the
// [[meter]] keys baud, parity and stop_bits, checked by the same schema, so a meter at another
// speed can be tried without writing a configuration first.
#pragma once

#include <boost/program_options/options_description.hpp>
#include <boost/program_options/positional_options.hpp>
#include <boost/program_options/variables_map.hpp>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "core/config/config.hpp"
#include "core/host/plugin_registry.hpp"

namespace kamgw::app {

struct LineOptions {
    std::string baud, parity, stop_bits;  // as typed; empty: keep the meter's
};

// Parses the command line of a one-shot command: on a usage error (said on stderr with the
// options) or --help (the options on stdout) returns the exit code to end with, else nullopt.
std::optional<int> parse_command_line(int argc, char** argv, const boost::program_options::options_description& options,
                                      const boost::program_options::positional_options_description& positional,
                                      boost::program_options::variables_map& vm, std::string_view command);

// Adds --baud, --parity and --stop-bits.
void add_line_options(boost::program_options::options_description& options, LineOptions& line);

// Sets `meter.line` from the options given. False (after one sentence per bad value on `err`,
// prefixed with "kamgw <command>: ") when a value is outside what the config key accepts.
bool apply_line_options(const LineOptions& line, config::MeterConfig& meter, std::string_view command,
                        std::ostream& err);

// Sets `meter.timeout` from --timeout when given; false (after saying why) when it is no
// positive duration.
bool apply_timeout(const std::string& text, config::MeterConfig& meter, std::string_view command, std::ostream& err);

// The [[meter]] of this name in the configuration file; nullopt after saying which ones there
// are. Throws for a configuration that does not load.
std::optional<config::MeterConfig> configured_meter(const std::string& name, const std::string& config_file,
                                                    const host::PluginRegistry& registry, std::string_view command,
                                                    std::ostream& err);

// The meter a one-shot command reads: the URL, or the [[meter]] named by --meter, with --timeout
// and the line options applied. On failure (said on `err`) returns the exit code to end with.
std::optional<int> resolve_meter(const std::string& url, const std::string& meter_name, const std::string& config_file,
                                 const host::PluginRegistry& registry, const std::string& timeout_text,
                                 const LineOptions& line, std::string_view command, std::ostream& err,
                                 config::MeterConfig& meter);

// A meter described by its URL alone, its query checked against the transport's schema.
// nullopt (after saying why on `err`) for a URL no loaded transport serves.
std::optional<config::MeterConfig> meter_from_url(const std::string& url, const host::PluginRegistry& registry,
                                                  std::string_view command, std::ostream& err);

}  // namespace kamgw::app
