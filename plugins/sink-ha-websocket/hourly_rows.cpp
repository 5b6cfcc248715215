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

// The newest reading is written down at most this often: after a crash, interpolation goes on
// from a reading at most this much older, and the journal replays everything after it anyway.
constexpr std::int64_t last_write_interval_ms = 5 * 60 * 1000;

std::int64_t unix_ms(TimePoint t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

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
    last_.reset();
    lines_in_file_ = 0;
    std::ifstream in(file_);
    std::string line;
    while (std::getline(in, line)) {
        ++lines_in_file_;
        std::istringstream fields(line);
        if (line.starts_with("last ")) {
            std::string word, text;
            long long ms = 0;
            if (!(fields >> word >> ms >> text)) continue;
            if (const auto value = Decimal::parse(text); value && (!last_ || ms > last_->unix_ms))
                last_ = LastReading{ms, *value};
            continue;
        }
        long long start = 0;
        std::string text, mark;
        if (!(fields >> start >> text) || start % seconds_per_hour != 0) continue;
        const auto value = Decimal::parse(text);
        if (!value) continue;
        fields >> mark;
        rows_.insert_or_assign(start, Stored{value->to_double(), text, mark == "i"});
    }
    if (last_) last_written_ms_ = last_->unix_ms;
}

bool HourJournal::record(TimePoint reading_time, const Decimal& value) {
    const std::int64_t t1 = unix_ms(reading_time);
    if (last_ && t1 <= last_->unix_ms) return false;
    constexpr std::int64_t hour_ms = seconds_per_hour * 1000;
    const std::int64_t tolerance = std::chrono::duration_cast<std::chrono::milliseconds>(at_the_hour).count();
    // Hour ends this reading decides: those up to a minute after it (it was taken at them),
    // after the previous reading's minute (the ones before were decided then), within retention.
    std::int64_t first_end = (t1 - tolerance) / hour_ms * hour_ms;
    if (first_end < t1 - tolerance) first_end += hour_ms;
    if (last_) {
        std::int64_t after_previous = (last_->unix_ms + tolerance) / hour_ms * hour_ms + hour_ms;
        first_end = std::min(first_end, after_previous);
    }
    first_end = std::max(first_end, (t1 / hour_ms - retention_.count()) * hour_ms);
    bool added = false;
    for (std::int64_t end = first_end; end <= t1 + tolerance; end += hour_ms) {
        const HourStart start = end / 1000 - seconds_per_hour;
        if (rows_.count(start)) continue;
        if (std::llabs(t1 - end) <= tolerance) {
            add_row(start, {value.to_double(), value.to_string(), false});
        } else if (last_ && std::llabs(last_->unix_ms - end) <= tolerance) {
            add_row(start, {last_->value.to_double(), last_->value.to_string(), false});
        } else if (last_ && last_->unix_ms < end && end < t1) {
            const Decimal at_end = interpolate(last_->unix_ms, last_->value, t1, value, end);
            add_row(start, {at_end.to_double(), at_end.to_string(), true});
        } else {
            continue;  // no reading before this end: nothing to say about it
        }
        added = true;
    }
    remember_last({t1, value});
    if (lines_in_file_ > 2 * rows_.size() + 48) compact();
    return added;
}

void HourJournal::add_row(HourStart start, Stored row) {
    append(std::to_string(start) + ' ' + row.text + (row.interpolated ? " i" : ""));
    rows_.emplace(start, std::move(row));
    const HourStart oldest_kept = rows_.rbegin()->first - retention_.count() * seconds_per_hour;
    while (!rows_.empty() && rows_.begin()->first < oldest_kept) rows_.erase(rows_.begin());
}

void HourJournal::remember_last(const LastReading& last) {
    last_ = last;
    if (last.unix_ms - last_written_ms_ < last_write_interval_ms) return;
    append("last " + std::to_string(last.unix_ms) + ' ' + last.value.to_string());
    last_written_ms_ = last.unix_ms;
}

void HourJournal::append(const std::string& line) {
    std::error_code ec;
    std::filesystem::create_directories(file_.parent_path(), ec);
    std::ofstream out(file_, std::ios::app);
    out << line << '\n';
    out.flush();
    if (!out) throw std::runtime_error("cannot append to " + file_.string());
    ++lines_in_file_;
}

void HourJournal::compact() {
    const std::filesystem::path tmp = file_.string() + ".tmp";
    {
        std::ofstream out(tmp, std::ios::trunc);
        for (const auto& [start, row] : rows_)
            out << start << ' ' << row.text << (row.interpolated ? " i" : "") << '\n';
        if (last_) out << "last " << last_->unix_ms << ' ' << last_->value.to_string() << '\n';
        if (!out) return;  // keep the longer file; nothing is lost
    }
    std::error_code ec;
    std::filesystem::rename(tmp, file_, ec);
    if (!ec) {
        lines_in_file_ = rows_.size() + (last_ ? 1 : 0);
        if (last_) last_written_ms_ = last_->unix_ms;
    }
}

Decimal interpolate(std::int64_t t0_ms, const Decimal& v0, std::int64_t t1_ms, const Decimal& v1, std::int64_t at_ms) {
    const double share = static_cast<double>(at_ms - t0_ms) / static_cast<double>(t1_ms - t0_ms);
    const double value = v0.to_double() + (v1.to_double() - v0.to_double()) * share;
    // In units of the later reading's last digit, rounded to the nearest.
    const double scale = std::pow(10.0, -v1.exponent);
    const double units = std::round(std::abs(value) * scale);
    return Decimal{static_cast<std::uint64_t>(units), v1.exponent, value < 0};
}

std::optional<JournalRow> HourJournal::row(HourStart start) const {
    auto it = rows_.find(start);
    if (it == rows_.end()) return std::nullopt;
    return JournalRow{start, it->second.state, it->second.interpolated};
}

std::vector<JournalRow> HourJournal::rows() const {
    std::vector<JournalRow> out;
    out.reserve(rows_.size());
    for (const auto& [start, row] : rows_) out.push_back({start, row.state, row.interpolated});
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
        out.push_back({r.start, r.state, ledger.sum_for(r.state), r.interpolated});
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
