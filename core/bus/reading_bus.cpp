#include "core/bus/reading_bus.hpp"

#include <stdexcept>

#include "core/bus/lane.hpp"

namespace kamgw::bus {

ReadingBus::ReadingBus(HostServices services) : services_(std::make_shared<const HostServices>(std::move(services))) {}

ReadingBus::~ReadingBus() {
    if (!stopped_) stop(std::chrono::milliseconds(0));
}

void ReadingBus::add_lane(std::unique_ptr<Sink> sink, const config::SinkConfig& cfg, const LaneDefaults& defaults) {
    if (started_) throw std::logic_error("ReadingBus::add_lane after start()");
    if (!sink) throw std::invalid_argument("ReadingBus::add_lane without a sink");
    LaneSettings settings = LaneSettings::from(cfg, defaults);
    // Beside the sink's state_dir(), so each instance has one folder that survives restarts.
    if (!services_->state_root.empty()) settings.spool_dir = services_->state_root / "sinks" / settings.name / "spool";
    lanes_.push_back(std::make_shared<Lane>(std::move(sink), std::move(settings), services_, cfg.options));
}

void ReadingBus::start() {
    if (started_) return;
    started_ = true;
    for (const auto& lane : lanes_) lane->start();
}

void ReadingBus::publish(ReadingBatch batch) {
    if (lanes_.empty()) return;
    // Every lane but the last gets a copy, made outside any lane lock; the last takes the original.
    for (std::size_t i = 0; i + 1 < lanes_.size(); ++i) lanes_[i]->publish(batch);
    lanes_.back()->publish(std::move(batch));
}

void ReadingBus::publish_status(const MeterStatus& status) {
    for (const auto& lane : lanes_) lane->publish_status(status);
}

void ReadingBus::reopen() {
    for (const auto& lane : lanes_) lane->reopen();
}

DrainReport ReadingBus::stop(std::chrono::milliseconds drain_timeout) {
    DrainReport report;
    if (stopped_) return report;
    stopped_ = true;
    // All lanes drain at once against one deadline, so shutdown takes the timeout, not its multiple.
    const auto deadline = std::chrono::steady_clock::now() + drain_timeout;
    for (const auto& lane : lanes_) lane->begin_stop(deadline);
    for (const auto& lane : lanes_) report.lanes.push_back(lane->finish_stop(deadline + call_grace));
    return report;
}

std::vector<LaneStats> ReadingBus::stats() const {
    std::vector<LaneStats> out;
    out.reserve(lanes_.size());
    for (const auto& lane : lanes_) out.push_back(lane->stats());
    return out;
}

}  // namespace kamgw::bus
