#include <algorithm>
#include <array>

#include "core/app/exit_codes.hpp"

namespace kamgw::app {
namespace {

constexpr std::array<ExitCodeInfo, 10> table = {{
    {exit_code::ok, "success: every register was read, every sink took every batch"},
    {exit_code::partial, "the meter answered, but some registers asked for did not come back"},
    {exit_code::usage, "usage error: unknown option, bad value, unknown register or URL scheme"},
    {exit_code::data_error, "bad input data: a frame failed its CRC or was no frame (decode)"},
    {exit_code::meter_unavailable, "a meter could not be read: its link did not open, or it did not answer"},
    {exit_code::internal_error, "internal error (a bug: please report it)"},
    {exit_code::os_error, "the system refused a resource: sim could not create its pty or socket"},
    {exit_code::plugin_refused, "a plugin file was refused (plugins)"},
    {exit_code::not_delivered, "run --once: a sink did not take every batch; what it did not take is kept"},
    {exit_code::config_error, "configuration error"},
}};

}  // namespace

std::span<const ExitCodeInfo> exit_codes() { return table; }

std::string exit_code_help(std::initializer_list<int> codes) {
    std::string out = "Exit status:\n";
    for (const auto& e : table) {
        if (codes.size() != 0 && std::find(codes.begin(), codes.end(), e.code) == codes.end()) continue;
        std::string code = std::to_string(e.code);
        out += "  " + code + std::string(5 - code.size(), ' ') + std::string(e.meaning) + '\n';
    }
    return out;
}

}  // namespace kamgw::app
