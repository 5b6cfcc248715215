// The influxdb sink loaded the way kamgw loads it: the built .so from $KAMGW_PLUGIN_DIR,
// ABI checked first, the sink made by the descriptor's factory.
#pragma once

#include <boost/dll/shared_library.hpp>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <stdexcept>

#include "kamgw/plugin.hpp"

namespace kamgw::influxdb::test {

class LoadedPlugin {
public:
    LoadedPlugin() {
        library_.load((folder() / "kamgw-sink-influxdb.so").string());
        if (library_.get<int()>("kamgw_plugin_abi")() != KAMGW_PLUGIN_ABI)
            throw std::runtime_error("kamgw-sink-influxdb.so was built for another plugin ABI");
        descriptor_ = library_.get<const PluginDescriptor*()>("kamgw_plugin_descriptor")();
    }
    [[nodiscard]] const PluginDescriptor& descriptor() const { return *descriptor_; }
    // Sinks must be destroyed before this object: their code lives in the library.
    [[nodiscard]] std::unique_ptr<Sink> make_sink() const { return descriptor_->make_sink(); }

private:
    // $KAMGW_PLUGIN_DIR as ctest sets it; the build's plugin folder when run by hand.
    static std::filesystem::path folder() {
        if (const char* dir = std::getenv("KAMGW_PLUGIN_DIR"); dir && *dir) return dir;
        return KAMGW_INFLUXDB_PLUGIN_DIR;
    }
    boost::dll::shared_library library_;
    const PluginDescriptor* descriptor_ = nullptr;
};

}  // namespace kamgw::influxdb::test
