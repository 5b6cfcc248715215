#include "plugins/sink-ha-websocket/hourly_rows.hpp"

#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <system_error>

namespace kamgw::ha_websocket {
namespace {

// Sums are differences of decimal readings; rounding to a micro-unit keeps binary noise
// (234.56700000000001) out of what Home Assistant stores.
double round_micro(double v) { return std::round(v * 1e6) / 1e6; }

// A drop smaller than this is rounding, not a meter reset.
constexpr double reset_tolerance = 1e-9;

}  // namespace

HourStart hour_floor(TimePoint t) {
    const auto secs = std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
    HourStart h = secs / seconds_per_hour * seconds_per_hour;
    if (secs < 0 && secs % seconds_per_hour != 0) h -= seconds_per_hour;
    return h;
}

HourStart row_closed_by(TimePoint t) { return hour_floor(t) - seconds_per_hour; }

bool hour_finished(HourStart start, TimePoint now) { return time_of(start + seconds_per_hour) <= now; }

TimePoint time_of(HourStart start) { return TimePoint(std::chrono::seconds(start)); }

std::string iso_hour(HourStart start) {
    const auto days = std::chrono::floor<std::chrono::days>(time_of(start));
    const std::chrono::year_month_day ymd{days};
    const auto hour =
        (start - std::chrono::duration_cast<std::chrono::seconds>(days.time_since_epoch()).count()) / seconds_per_hour;
    char buf[96];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02lld:00:00+00:00", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()), static_cast<long long>(hour));
    return buf;
}

HourJournal::HourJournal(std::filesystem::path file, std::chrono::hours retention)
    : file_(std::move(file)), retention_(retention) {}

void HourJournal::load() {
    rows_.clear();
    lines_in_file_ = 0;
    std::ifstream in(file_);
    std::string line;
    while (std::getline(in, line)) {
        ++lines_in_file_;
        std::istringstream fields(line);
        long long start = 0;
        std::string text;
        if (!(fields >> start >> text) || start % seconds_per_hour != 0) continue;
        const auto value = Decimal::parse(text);
        if (!value) continue;
        rows_.emplace(start, std::make_pair(value->to_double(), text));
    }
}

bool HourJournal::record(TimePoint reading_time, const Decimal& value) {
    const HourStart start = row_closed_by(reading_time);
    if (rows_.count(start)) return false;
    const std::string text = value.to_string();
    rows_.emplace(start, std::make_pair(value.to_double(), text));
    append(start, text);
    const HourStart oldest_kept = rows_.rbegin()->first - retention_.count() * seconds_per_hour;
    while (!rows_.empty() && rows_.begin()->first < oldest_kept) rows_.erase(rows_.begin());
    if (lines_in_file_ > 2 * rows_.size() + 48) compact();
    return true;
}

void HourJournal::append(HourStart start, const std::string& text) {
    std::error_code ec;
    std::filesystem::create_directories(file_.parent_path(), ec);
    std::ofstream out(file_, std::ios::app);
    out << start << ' ' << text << '\n';
    out.flush();
    if (!out) throw std::runtime_error("cannot append to " + file_.string());
    ++lines_in_file_;
}

void HourJournal::compact() {
    const std::filesystem::path tmp = file_.string() + ".tmp";
    {
        std::ofstream out(tmp, std::ios::trunc);
        for (const auto& [start, value] : rows_) out << start << ' ' << value.second << '\n';
        if (!out) return;  // keep the longer file; nothing is lost
    }
    std::error_code ec;
    std::filesystem::rename(tmp, file_, ec);
    if (!ec) lines_in_file_ = rows_.size();
}

std::optional<JournalRow> HourJournal::row(HourStart start) const {
    auto it = rows_.find(start);
    if (it == rows_.end()) return std::nullopt;
    return JournalRow{start, it->second.first};
}

std::vector<JournalRow> HourJournal::rows() const {
    std::vector<JournalRow> out;
    out.reserve(rows_.size());
    for (const auto& [start, value] : rows_) out.push_back({start, value.first});
    return out;
}

double SumLedger::sum_for(double state) const { return round_micro(state - baseline + offset); }

SumLedger load_ledger(const std::filesystem::path& file) {
    SumLedger l;
    std::ifstream in(file);
    std::string key;
    double value = 0;
    bool baseline_seen = false;
    while (in >> key >> value) {
        if (key == "baseline") {
            l.baseline = value;
            baseline_seen = true;
        } else if (key == "offset") {
            l.offset = value;
        }
    }
    l.has_baseline = baseline_seen;
    return l;
}

void save_ledger(const std::filesystem::path& file, const SumLedger& ledger) {
    if (!ledger.has_baseline) return;
    std::error_code ec;
    std::filesystem::create_directories(file.parent_path(), ec);
    const std::filesystem::path tmp = file.string() + ".tmp";
    {
        std::ofstream out(tmp, std::ios::trunc);
        out.precision(17);
        out << "baseline " << ledger.baseline << "\noffset " << ledger.offset << '\n';
        if (!out) throw std::runtime_error("cannot write " + tmp.string());
    }
    std::filesystem::rename(tmp, file);
}

RebaseOutcome rebase_on(SumLedger& ledger, const ResumePoint& last, std::optional<double> local_state) {
    const std::optional<double> state = last.state ? last.state : local_state;
    if (!state || !last.sum) return RebaseOutcome::no_state;
    if (!ledger.has_baseline) {
        ledger.has_baseline = true;
        ledger.baseline = *state;
        ledger.offset = *last.sum;
        return RebaseOutcome::started;
    }
    if (std::abs(ledger.sum_for(*state) - *last.sum) <= 1e-6) return RebaseOutcome::continued;
    ledger.offset = *last.sum - (*state - ledger.baseline);
    return RebaseOutcome::rebased;
}

std::vector<StatRow> build_rows(std::span<const JournalRow> journal, std::optional<HourStart> after,
                                HourStart window_start, TimePoint now, SumLedger& ledger,
                                std::optional<double> previous_state) {
    std::vector<StatRow> out;
    for (const JournalRow& r : journal) {
        if (after && r.start <= *after) continue;
        if (r.start < window_start || !hour_finished(r.start, now)) continue;
        if (!ledger.has_baseline) {
            ledger.has_baseline = true;
            ledger.baseline = r.state;
            ledger.offset = 0;
        }
        // A meter that counts backwards was replaced or reset: hold the sum flat at the
        // reset so the energy dashboard shows no negative hour.
        if (previous_state && r.state < *previous_state - reset_tolerance) ledger.offset += *previous_state - r.state;
        out.push_back({r.start, r.state, ledger.sum_for(r.state)});
        previous_state = r.state;
    }
    return out;
}

std::vector<std::span<const StatRow>> chunk_rows(std::span<const StatRow> rows, std::size_t max_rows) {
    std::vector<std::span<const StatRow>> out;
    if (max_rows == 0) max_rows = 1;
    for (std::size_t i = 0; i < rows.size(); i += max_rows)
        out.push_back(rows.subspan(i, std::min(max_rows, rows.size() - i)));
    return out;
}

}  // namespace kamgw::ha_websocket
