// What the application provides to every sink through its lane's SinkHost.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "kamgw/sink.hpp"

namespace kamgw::bus {

struct HostServices {
    std::string gateway_id;
    std::string gateway_version;
    std::filesystem::path state_root;  // a lane's state_dir() is state_root / "sinks" / <instance name>
    // Both may be called from any sink thread, so the application makes them thread-safe.
    // Unset: no meters, and every read request answers unknown_meter.
    std::function<std::vector<MeterInfo>()> meters;
    std::function<ReadRequestResult(const std::string&)> request_read;
};

}  // namespace kamgw::bus
