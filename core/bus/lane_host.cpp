#include "core/bus/lane_host.hpp"

#include <system_error>

namespace kamgw::bus {

LaneHost::LaneHost(std::shared_ptr<const HostServices> services, std::string instance_name, ConfigTable config,
                   std::shared_ptr<spdlog::logger> logger)
    : services_(std::move(services)),
      instance_name_(std::move(instance_name)),
      config_(std::move(config)),
      logger_(std::move(logger)) {}

std::filesystem::path LaneHost::state_dir() const {
    std::filesystem::path dir = services_->state_root / "sinks" / instance_name_;
    // A failure here is not fatal for the host: the sink sees it as soon as it uses the folder,
    // with an error that names the path.
    std::error_code ignored;
    std::filesystem::create_directories(dir, ignored);
    return dir;
}

std::vector<MeterInfo> LaneHost::meters() const {
    if (!services_->meters) return {};
    return services_->meters();
}

ReadRequestResult LaneHost::request_read(const std::string& meter_name) {
    if (!services_->request_read) return ReadRequestResult::unknown_meter;
    return services_->request_read(meter_name);
}

}  // namespace kamgw::bus
