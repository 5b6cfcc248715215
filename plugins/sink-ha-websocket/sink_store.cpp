#include "plugins/sink-ha-websocket/sink_store.hpp"

#include <algorithm>
#include <fstream>

#include "kamgw/home_assistant.hpp"
#include "plugins/sink-ha-websocket/statistic_id.hpp"

namespace kamgw::ha_websocket {
namespace {

// Events wait here only while Home Assistant is away; beyond this the oldest go.
constexpr std::size_t max_queued_events = 1000;

std::string object_of(const std::string& statistic_id) { return statistic_id.substr(statistic_id.find(':') + 1); }

}  // namespace

std::optional<double> TrackSnapshot::state_at(HourStart start) const {
    auto it =
        std::lower_bound(rows.begin(), rows.end(), start, [](const JournalRow& r, HourStart s) { return r.start < s; });
    if (it == rows.end() || it->start != start) return std::nullopt;
    return it->state;
}

SinkStore::SinkStore(std::filesystem::path state_dir, const Options& options)
    : state_dir_(std::move(state_dir)), options_(options) {}

void SinkStore::load() {
    std::lock_guard lock(mutex_);
    std::error_code ec;
    if (!std::filesystem::is_directory(stats_dir(), ec)) return;
    for (const auto& entry : std::filesystem::directory_iterator(stats_dir(), ec)) {
        if (entry.path().extension() != ".meta") continue;
        std::ifstream in(entry.path());
        const json meta = json::parse(in, nullptr, false);
        if (meta.is_discarded() || !meta.is_object()) continue;
        StatisticMeta m;
        m.statistic_id = meta.value("statistic_id", "");
        if (!statistic_source_matches(m.statistic_id, options_.statistic_source)) continue;
        m.source = options_.statistic_source;
        m.name = meta.value("name", "");
        m.unit = meta.value("unit", "");
        m.unit_class = meta.value("unit_class", "");
        const auto hours = std::chrono::hours(24 * (options_.backfill_max_days + 2));
        Track track{m, HourJournal(stats_dir() / (object_of(m.statistic_id) + ".hours"), hours)};
        track.journal.load();
        tracks_.emplace(m.statistic_id, std::move(track));
    }
}

SinkStore::Track& SinkStore::track_for(const MeterIdentity& meter, const Reading& reading) {
    const auto id = make_statistic_id(options_.statistic_source, meter.serial, reading.key);
    if (!id) throw std::runtime_error("no valid statistic id for " + meter.serial + " " + reading.key);
    auto it = tracks_.find(*id);
    const HaPresentation look = ha_presentation(reading.ha, reading.unit);
    std::string unit(look.unit);
    if (it != tracks_.end()) {
        if (it->second.meta.unit == unit) return it->second;
        // The meter was reconfigured to another unit: the statistic follows (HA converts
        // nothing for external statistics, so sums in the old unit are not comparable anyway).
        it->second.meta.unit = unit;
    } else {
        StatisticMeta m;
        m.statistic_id = *id;
        m.source = options_.statistic_source;
        const std::string who = meter.name.empty() ? "Kamstrup" : meter.name;
        m.name = who + " " + (reading.name.empty() ? reading.key : reading.name) + " (" + meter.serial + ")";
        m.unit = unit;
        m.unit_class = look.device_class == HaDeviceClass::none ? "" : unit_class_for(reading.quantity);
        const auto hours = std::chrono::hours(24 * (options_.backfill_max_days + 2));
        Track track{m, HourJournal(stats_dir() / (object_of(*id) + ".hours"), hours)};
        track.journal.load();
        it = tracks_.emplace(*id, std::move(track)).first;
    }
    std::filesystem::create_directories(stats_dir());
    const json meta = {{"statistic_id", it->second.meta.statistic_id},
                       {"name", it->second.meta.name},
                       {"unit", it->second.meta.unit},
                       {"unit_class", it->second.meta.unit_class}};
    std::ofstream(stats_dir() / (object_of(*id) + ".meta"), std::ios::trunc) << meta.dump() << '\n';
    return it->second;
}

void SinkStore::record(const ReadingBatch& batch) {
    std::lock_guard lock(mutex_);
    if (batch.meter.serial.empty()) {
        ++without_serial_;
        return;
    }
    for (const Reading& r : batch.readings) {
        if (options_.push_states) {
            StatePush push = state_push(batch.meter, r, release_);
            auto it = latest_.find(push.entity_id);
            if (it == latest_.end() || it->second.body != push.body) dirty_.insert(push.entity_id);
            latest_readings_.insert_or_assign(push.entity_id, std::make_pair(batch.meter, r));
            latest_[push.entity_id] = std::move(push);
        }
        if (options_.import_statistics && r.quality == Quality::ok &&
            std::find(options_.stats_registers.begin(), options_.stats_registers.end(), r.key) !=
                options_.stats_registers.end()) {
            track_for(batch.meter, r).journal.record(r.time, r.value);
        }
    }
    if (options_.fire_events) {
        if (events_.size() >= max_queued_events) {
            events_.pop_front();
            ++status_.events_dropped;
        }
        events_.push_back(fire_event_command(batch));
    }
}

std::size_t SinkStore::batches_without_serial() const {
    std::lock_guard lock(mutex_);
    return without_serial_;
}

std::vector<StatePush> SinkStore::take_dirty_states() {
    std::lock_guard lock(mutex_);
    std::vector<StatePush> out;
    for (const std::string& id : dirty_) out.push_back(latest_.at(id));
    dirty_.clear();
    return out;
}

void SinkStore::mark_dirty(const std::string& entity_id) {
    std::lock_guard lock(mutex_);
    if (latest_.count(entity_id)) dirty_.insert(entity_id);
}

void SinkStore::set_release(HaRelease release) {
    std::lock_guard lock(mutex_);
    if (release.year == release_.year && release.month == release_.month) return;
    release_ = release;
    for (const auto& [id, source] : latest_readings_) {
        StatePush push = state_push(source.first, source.second, release_);
        if (latest_.at(id).body != push.body) dirty_.insert(id);
        latest_[id] = std::move(push);
    }
}

void SinkStore::mark_all_dirty() {
    std::lock_guard lock(mutex_);
    for (const auto& [id, push] : latest_) dirty_.insert(id);
}

std::optional<json> SinkStore::take_event() {
    std::lock_guard lock(mutex_);
    if (events_.empty()) return std::nullopt;
    json e = std::move(events_.front());
    events_.pop_front();
    return e;
}

std::vector<TrackSnapshot> SinkStore::tracks() const {
    std::lock_guard lock(mutex_);
    std::vector<TrackSnapshot> out;
    for (const auto& [id, track] : tracks_)
        out.push_back({track.meta, track.journal.rows(), stats_dir() / (object_of(id) + ".ledger")});
    return out;
}

SinkStatus SinkStore::status() const {
    std::lock_guard lock(mutex_);
    return status_;
}

void SinkStore::update_status(const std::function<void(SinkStatus&)>& change) {
    std::lock_guard lock(mutex_);
    change(status_);
}

}  // namespace kamgw::ha_websocket
