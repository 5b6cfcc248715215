// The core as one sink sees it (SinkHost), backed by the application's HostServices.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "core/base/logging.hpp"
#include "core/bus/host_services.hpp"
#include "kamgw/sink.hpp"

namespace kamgw::bus {

class LaneHost final : public SinkHost {
public:
    LaneHost(std::shared_ptr<const HostServices> services, std::string instance_name, ConfigTable config,
             std::shared_ptr<spdlog::logger> logger);

    Logger& log() override { return logger_; }
    [[nodiscard]] const ConfigTable& config() const override { return config_; }
    [[nodiscard]] const std::string& instance_name() const override { return instance_name_; }
    [[nodiscard]] const std::string& gateway_id() const override { return services_->gateway_id; }
    [[nodiscard]] const std::string& gateway_version() const override { return services_->gateway_version; }
    [[nodiscard]] std::filesystem::path state_dir() const override;
    [[nodiscard]] std::vector<MeterInfo> meters() const override;
    ReadRequestResult request_read(const std::string& meter_name) override;
    void wake(std::chrono::milliseconds within) override {
        if (wake_) wake_(within);
    }
    // The lane that owns this host; set before the sink starts.
    void on_wake(std::function<void(std::chrono::milliseconds)> wake) { wake_ = std::move(wake); }

private:
    std::shared_ptr<const HostServices> services_;
    std::string instance_name_;
    ConfigTable config_;
    base::PluginLogger logger_;
    std::function<void(std::chrono::milliseconds)> wake_;
};

}  // namespace kamgw::bus
