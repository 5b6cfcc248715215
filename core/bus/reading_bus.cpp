#include "core/bus/reading_bus.hpp"

#include <algorithm>
#include <stdexcept>

#include "core/base/logging.hpp"
#include "core/bus/lane.hpp"

namespace kamgw::bus {

ReadingBus::ReadingBus(HostServices services, std::shared_ptr<Journal> journal)
    : services_(std::make_shared<const HostServices>(std::move(services))), journal_(std::move(journal)) {
    if (!journal_) {
        JournalSettings settings;
        if (!services_->state_root.empty()) settings.dir = services_->state_root / "journal";
        journal_ = std::make_shared<Journal>(std::move(settings), base::make_logger("journal"));
        journal_->open();
        owns_journal_ = true;
    }
}

ReadingBus::~ReadingBus() {
    if (!stopped_) stop(std::chrono::milliseconds(0));
}

void ReadingBus::add_lane(std::unique_ptr<Sink> sink, const config::SinkConfig& cfg, const LaneDefaults& defaults) {
    if (started_) throw std::logic_error("ReadingBus::add_lane after start()");
    if (!sink) throw std::invalid_argument("ReadingBus::add_lane without a sink");
    LaneSettings settings = LaneSettings::from(cfg, defaults);
    // Beside the sink's state_dir(), so each instance has one folder that survives restarts.
    if (!services_->state_root.empty() && journal_->stats().persistent) {
        const auto dir = services_->state_root / "sinks" / settings.name;
        settings.cursor_file = dir / "cursor";
        settings.dead_letter_file = dir / "dead-letter.jsonl";
    }
    journal_->add_consumer(settings.name, settings.cursor_file);
    lanes_.push_back(std::make_shared<Lane>(std::move(sink), std::move(settings), services_, cfg.options, journal_));
}

void ReadingBus::start() {
    if (started_) return;
    started_ = true;
    for (const auto& lane : lanes_) lane->start();
}

void ReadingBus::publish(ReadingBatch batch) {
    if (stopped_) return;
    journal_->append(std::move(batch));
}

void ReadingBus::publish_status(const MeterStatus& status) {
    for (const auto& lane : lanes_) lane->publish_status(status);
}

void ReadingBus::reopen() {
    for (const auto& lane : lanes_) lane->reopen();
}

DrainReport ReadingBus::stop(std::chrono::milliseconds drain_timeout) {
    DrainReport report;
    report.persistent = journal_->stats().persistent;
    if (stopped_) return report;
    stopped_ = true;
    // All lanes drain at once against one deadline, so shutdown takes the timeout, not its
    // multiple. The last fifth (at most a second) is kept for Sink::stop: disconnecting
    // cleanly from a hub.
    const auto now = std::chrono::steady_clock::now();
    const auto end = now + drain_timeout;
    const auto reserve = std::min<std::chrono::milliseconds>(drain_timeout / 5, std::chrono::seconds(1));
    for (const auto& lane : lanes_) lane->begin_stop(end - reserve);
    // Even with no drain time, a lane gets a moment to return from an idle wait and call
    // Sink::stop; only a sink stuck in a call is left behind.
    const auto wait_limit = std::max(end, now + std::chrono::milliseconds(200));
    for (const auto& lane : lanes_) report.lanes.push_back(lane->finish_stop(wait_limit));
    if (owns_journal_) journal_->close();
    return report;
}

std::vector<LaneStats> ReadingBus::stats() const {
    std::vector<LaneStats> out;
    out.reserve(lanes_.size());
    for (const auto& lane : lanes_) out.push_back(lane->stats());
    return out;
}

std::vector<std::string> ReadingBus::lane_names() const {
    std::vector<std::string> out;
    for (const auto& lane : lanes_) out.push_back(lane->settings().name);
    return out;
}

}  // namespace kamgw::bus
