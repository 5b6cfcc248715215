// Hourly long-term statistic rows: which hour a reading closes, the per-register journal of
// hourly states kept in the state folder, and the running sum with its persisted baseline.
//
// A row that starts at T stands for the hour [T, T+1h); its state and sum are the values at
// the end of that hour. The first good reading taken at or after T+1h (and before T+2h) is
// that end value, so a reading at 10:00:05 closes the 09:00 row. A row is only ever built
// for an hour that has ended by "now", so the unfinished hour is never imported.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "kamgw/decimal.hpp"
#include "kamgw/reading.hpp"

namespace kamgw::ha_websocket {

using HourStart = std::int64_t;  // Unix seconds of a UTC hour start (a multiple of 3600)
constexpr HourStart seconds_per_hour = 3600;

HourStart hour_floor(TimePoint t);
// The row a reading at `t` closes: the hour that ended at or before `t`.
HourStart row_closed_by(TimePoint t);
// True once the hour starting at `start` has ended.
bool hour_finished(HourStart start, TimePoint now);
// "2024-05-01T09:00:00+00:00"
std::string iso_hour(HourStart start);
TimePoint time_of(HourStart start);

struct JournalRow {
    HourStart start = 0;
    double state = 0;
};

// One register's hourly states, appended to a small text file as readings arrive
// ("<hour start> <value as the meter sent it>" per line) and read back after a restart.
class HourJournal {
public:
    HourJournal(std::filesystem::path file, std::chrono::hours retention);
    // Reads the file (a missing file is an empty journal; unparsable lines are skipped).
    void load();
    // Records a good reading. Returns true when it closed an hour that had no row yet;
    // later readings for the same hour are ignored (the first after the hour is closest to its end).
    bool record(TimePoint reading_time, const Decimal& value);
    [[nodiscard]] std::optional<JournalRow> row(HourStart start) const;
    [[nodiscard]] std::vector<JournalRow> rows() const;
    [[nodiscard]] std::size_t size() const { return rows_.size(); }
    [[nodiscard]] const std::filesystem::path& file() const { return file_; }

private:
    void append(HourStart start, const std::string& text);
    void compact();

    std::filesystem::path file_;
    std::chrono::hours retention_;
    std::map<HourStart, std::pair<double, std::string>> rows_;
    std::size_t lines_in_file_ = 0;
};

// sum(row) = state(row) - baseline + offset. The baseline is the first state ever imported;
// the offset absorbs meter resets and rebases onto Home Assistant's sum, so sums never jump.
struct SumLedger {
    bool has_baseline = false;
    double baseline = 0;
    double offset = 0;

    [[nodiscard]] double sum_for(double state) const;
    friend bool operator==(const SumLedger&, const SumLedger&) = default;
};

SumLedger load_ledger(const std::filesystem::path& file);
// Written to a temporary file and renamed, so a crash never leaves half a ledger.
void save_ledger(const std::filesystem::path& file, const SumLedger& ledger);

// Home Assistant's last row of one statistic, as statistics_during_period reported it.
struct ResumePoint {
    HourStart start = 0;
    std::optional<double> state;
    std::optional<double> sum;
};

enum class RebaseOutcome { continued, started, rebased, no_state };

// Aligns the ledger with Home Assistant's last row: when the sum this ledger would give
// for that row differs from Home Assistant's, Home Assistant's sum wins (local state was lost
// or reset). `local_state` is the journal's state for that hour, used when HA sent none.
RebaseOutcome rebase_on(SumLedger& ledger, const ResumePoint& last, std::optional<double> local_state);

struct StatRow {
    HourStart start = 0;
    double state = 0;
    double sum = 0;
};

// Rows to import: journal rows after `after` (exclusive; nullopt: no bound), not before
// `window_start`, finished by `now`. `previous_state` is the state of the row before the
// first one (Home Assistant's last), for reset detection. Updates the ledger (a first
// baseline, offsets for resets); the caller saves it once the rows were accepted.
std::vector<StatRow> build_rows(std::span<const JournalRow> journal, std::optional<HourStart> after,
                                HourStart window_start, TimePoint now, SumLedger& ledger,
                                std::optional<double> previous_state);

// Splits rows into consecutive pieces of at most `max_rows`.
std::vector<std::span<const StatRow>> chunk_rows(std::span<const StatRow> rows, std::size_t max_rows = 500);

}  // namespace kamgw::ha_websocket
