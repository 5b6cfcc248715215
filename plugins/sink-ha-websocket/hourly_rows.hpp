// Hourly long-term statistic rows: which hour a reading closes, the per-register journal of
// hourly states kept in the state folder, and the running sum with its persisted baseline.
//
// A row that starts at T stands for the hour [T, T+1h); its state and sum are the meter's
// values at T+1h, the hour's end. A reading within a minute of the end (an aligned poll) is
// that value as measured; otherwise the value is interpolated linearly between the last
// reading before the end and the first after it, and the row is marked interpolated. An hour
// whose end has no reading on one side gets no row (the first reading ever, long after an
// hour's end, closes nothing). A row is only ever imported for an hour that has ended by
// "now", so the unfinished hour is never imported.
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

// How far from an hour's end a reading may be and still count as taken at it: an aligned
// poll starts on the hour and has its registers within seconds.
constexpr std::chrono::seconds at_the_hour{60};
// True once the hour starting at `start` has ended.
bool hour_finished(HourStart start, TimePoint now);
// "2024-05-01T09:00:00+00:00"
std::string iso_hour(HourStart start);
TimePoint time_of(HourStart start);

struct JournalRow {
    HourStart start = 0;
    double state = 0;
    bool interpolated = false;  // between the readings around the hour's end, not measured at it
};

// One register's hourly states, appended to a small text file as readings arrive
// ("<hour start> <value> [i]" per line, "i" for an interpolated one; "last <unix ms> <value>"
// for the newest reading, at most every few minutes) and read back after a restart.
class HourJournal {
public:
    HourJournal(std::filesystem::path file, std::chrono::hours retention);
    // Reads the file (a missing file is an empty journal; unparsable lines are skipped).
    void load();
    // Records a good reading. Returns true when it closed an hour that had no row yet. A
    // reading not newer than the last one (a delivery repeated after a restart) is ignored.
    bool record(TimePoint reading_time, const Decimal& value);
    [[nodiscard]] std::optional<JournalRow> row(HourStart start) const;
    [[nodiscard]] std::vector<JournalRow> rows() const;
    [[nodiscard]] std::size_t size() const { return rows_.size(); }
    [[nodiscard]] const std::filesystem::path& file() const { return file_; }

private:
    struct Stored {
        double state = 0;
        std::string text;
        bool interpolated = false;
    };
    struct LastReading {
        std::int64_t unix_ms = 0;
        Decimal value;
    };
    void add_row(HourStart start, Stored row);
    void append(const std::string& line);
    void remember_last(const LastReading& last);
    void compact();

    std::filesystem::path file_;
    std::chrono::hours retention_;
    std::map<HourStart, Stored> rows_;
    std::optional<LastReading> last_;
    std::int64_t last_written_ms_ = 0;  // when the newest "last" line in the file was taken
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
    bool interpolated = false;
};

// The value at `at` on the straight line through two readings, with the decimals of the later
// one (a meter's register has one resolution).
Decimal interpolate(std::int64_t t0_ms, const Decimal& v0, std::int64_t t1_ms, const Decimal& v1, std::int64_t at_ms);

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
