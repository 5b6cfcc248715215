// The example sink as a kamgw plugin: its configuration schema and the descriptor kamgw reads.
#include "example_sink.hpp"

namespace {

constexpr kamgw::ConfigKey config_keys[] = {
    {.key = "path", .type = kamgw::ConfigType::path, .required = true, .doc = "text file to append readings to"},
};

const kamgw::PluginDescriptor descriptor = {
    .name = "example",
    .kind = kamgw::PluginKind::sink,
    .version = "1.0.0",
    .summary = "example: one line of text per reading",
    .config = config_keys,
    .make_sink = example::make_sink,
};

}  // namespace

KAMGW_PLUGIN(descriptor)
