// kamgw-transport-sim: serves "sim://multical403", "sim://multical603" and "sim://flowiq"
// with an in-process simulated meter, for demos and for trying a configuration.
#include <memory>
#include <string_view>

#include "kamgw/plugin.hpp"
#include "plugins/transport-sim/sim_transport.hpp"

namespace kamgw::sim {
namespace {

constexpr std::string_view schemes[] = {"sim"};

std::unique_ptr<Transport> make_sim_transport(const TransportContext& context) {
    return std::make_unique<SimTransport>(context.executor, sim_options_from(context), context.log);
}

const PluginDescriptor descriptor = {
    .name = "sim",
    .kind = PluginKind::transport,
    .version = "0.1.0",
    .summary = "simulated MULTICAL 403/603 and flowIQ meters speaking real KMP, paced like the optical link",
    .config = sim_config_keys(),
    .url_schemes = schemes,
    .make_transport = make_sim_transport,
};

}  // namespace
}  // namespace kamgw::sim

KAMGW_PLUGIN(kamgw::sim::descriptor)
