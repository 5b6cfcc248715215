// What the lane thread hands to the session thread: the hourly journals (on disk in the
// state folder), the latest state of every entity, queued events, and the status. Every
// member is behind one mutex; both threads only copy in and out.
#pragma once

#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "kamgw/reading.hpp"
#include "plugins/sink-ha-websocket/ha_messages.hpp"
#include "plugins/sink-ha-websocket/hourly_rows.hpp"
#include "plugins/sink-ha-websocket/options.hpp"
#include "plugins/sink-ha-websocket/sink_status.hpp"

namespace kamgw::ha_websocket {

// One statistic as the session sees it at one moment.
struct TrackSnapshot {
    StatisticMeta meta;
    std::vector<JournalRow> rows;  // oldest first
    std::filesystem::path ledger_file;

    [[nodiscard]] std::optional<double> state_at(HourStart start) const;
};

class SinkStore {
public:
    SinkStore(std::filesystem::path state_dir, const Options& options);

    // Restores the statistics known from earlier runs (their journals and metadata).
    void load();

    // Lane thread. Throws when a journal cannot be written (the core then retries the batch).
    void record(const ReadingBatch& batch);
    // Readings the sink did not record as statistics, because the meter has no serial yet.
    [[nodiscard]] std::size_t batches_without_serial() const;

    // Session thread.
    std::vector<StatePush> take_dirty_states();
    void mark_dirty(const std::string& entity_id);
    void mark_all_dirty();
    // The connected Home Assistant's release: the states are presented again for it (and all
    // pushed again when that changes anything).
    void set_release(HaRelease release);
    std::optional<json> take_event();
    std::vector<TrackSnapshot> tracks() const;

    SinkStatus status() const;
    void update_status(const std::function<void(SinkStatus&)>& change);

private:
    struct Track {
        StatisticMeta meta;
        HourJournal journal;
    };
    Track& track_for(const MeterIdentity& meter, const Reading& reading);
    [[nodiscard]] std::filesystem::path stats_dir() const { return state_dir_ / "statistics"; }

    mutable std::mutex mutex_;
    std::filesystem::path state_dir_;
    const Options& options_;
    std::map<std::string, Track> tracks_;  // by statistic id
    std::map<std::string, StatePush> latest_;
    std::map<std::string, std::pair<MeterIdentity, Reading>> latest_readings_;  // what latest_ was made from
    HaRelease release_;
    std::set<std::string> dirty_;
    std::deque<json> events_;
    std::size_t without_serial_ = 0;
    SinkStatus status_;
};

}  // namespace kamgw::ha_websocket
