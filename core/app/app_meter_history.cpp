#include <algorithm>

#include "core/app/meter_history.hpp"

namespace kamgw::app {

std::vector<std::string> default_chart_keys() { return {"power", "flow"}; }

namespace {

std::uint32_t unix_seconds(TimePoint time) {
    const auto s = std::chrono::duration_cast<std::chrono::seconds>(time.time_since_epoch()).count();
    return static_cast<std::uint32_t>(std::clamp<std::int64_t>(s, 0, UINT32_MAX));
}

}  // namespace

ChartRing::ChartRing(std::chrono::seconds step, std::chrono::seconds window)
    : step_seconds_(static_cast<std::uint32_t>(std::max<std::int64_t>(1, step.count()))),
      capacity_(static_cast<std::size_t>(std::max<std::int64_t>(1, window.count() / step_seconds_))) {}

void ChartRing::add(TimePoint time, double value) {
    const ChartPoint point{unix_seconds(time), static_cast<float>(value)};
    if (!points_.empty()) {
        ChartPoint& newest = points_[(head_ + points_.size() - 1) % points_.size()];
        // One point a step: the newest reading of the step stands for it.
        if (newest.unix_seconds / step_seconds_ == point.unix_seconds / step_seconds_) {
            newest = point;
            return;
        }
        // A clock that went back: the ring stays in time order, so start over.
        if (point.unix_seconds < newest.unix_seconds) {
            points_.clear();
            head_ = 0;
        }
    }
    if (points_.size() < capacity_) {
        // Grown by hand so a full ring holds exactly `capacity_` points, not the next power of two.
        if (points_.size() == points_.capacity())
            points_.reserve(std::min(capacity_, std::max<std::size_t>(64, 2 * points_.capacity())));
        points_.push_back(point);
        return;
    }
    points_[head_] = point;
    head_ = (head_ + 1) % capacity_;
}

std::vector<ChartPoint> ChartRing::since(TimePoint oldest) const {
    const std::uint32_t from = unix_seconds(oldest);
    std::vector<ChartPoint> out;
    out.reserve(points_.size());
    for (std::size_t i = 0; i < points_.size(); ++i) {
        const ChartPoint& p = points_[(head_ + i) % points_.size()];
        if (p.unix_seconds >= from) out.push_back(p);
    }
    return out;
}

void MeterHistory::configure(const std::vector<config::MeterConfig>& meters, std::chrono::seconds step) {
    std::lock_guard lock(mutex_);
    // Points of another step do not fit the rings' arithmetic: the charts start over.
    if (step != step_)
        for (auto& [name, m] : meters_) m.charts.clear();
    step_ = step;
    std::map<std::string, Meter> kept;
    for (const config::MeterConfig& cfg : meters) {
        Meter m;
        if (auto it = meters_.find(cfg.name); it != meters_.end()) m = std::move(it->second);
        m.chart_keys.clear();
        for (const std::string& key : default_chart_keys())
            for (const auto& r : cfg.registers)
                if (r.info.key == key) m.chart_keys.push_back(key);
        for (const std::string& key : cfg.chart)
            if (std::find(m.chart_keys.begin(), m.chart_keys.end(), key) == m.chart_keys.end())
                m.chart_keys.push_back(key);
        std::erase_if(m.charts, [&](const auto& entry) {
            return std::find(m.chart_keys.begin(), m.chart_keys.end(), entry.first) == m.chart_keys.end();
        });
        kept.emplace(cfg.name, std::move(m));
    }
    meters_ = std::move(kept);
}

void MeterHistory::record(const std::string& meter, const ReadingBatch& batch) {
    std::lock_guard lock(mutex_);
    auto it = meters_.find(meter);
    if (it == meters_.end()) return;
    Meter& m = it->second;
    for (const Reading& r : batch.readings) {
        if (r.quality == Quality::error) continue;
        m.latest[r.key] = r;
        if (r.quality != Quality::ok) continue;
        if (std::find(m.chart_keys.begin(), m.chart_keys.end(), r.key) == m.chart_keys.end()) continue;
        Charted& chart = m.charts.try_emplace(r.key, step_).first->second;
        chart.name = r.name;
        chart.unit = std::string(r.unit_symbol());
        chart.ring.add(r.time, r.value.to_double());
    }
    m.missing = batch.missing;
}

void MeterHistory::record(const std::string& meter, const MeterStatus& status) {
    std::lock_guard lock(mutex_);
    auto it = meters_.find(meter);
    if (it == meters_.end()) return;
    Meter& m = it->second;
    const SessionCounters& c = status.counters;
    // Counters restart with a new session (a reload); a poll then counts from zero.
    const bool restarted = c.requests < m.last_counters.requests || c.responses < m.last_counters.responses;
    const SessionCounters base = restarted ? SessionCounters{} : m.last_counters;
    PollOutcome poll{status.time, static_cast<std::uint32_t>(c.requests - base.requests),
                     static_cast<std::uint32_t>(c.responses - base.responses), status.health};
    m.last_counters = c;
    if (poll.requests == 0 && poll.answered == 0) return;  // a status without a poll (a link lost while idle)
    if (m.polls.size() < polls_kept) {
        m.polls.push_back(poll);
        return;
    }
    m.polls[m.polls_head] = poll;
    m.polls_head = (m.polls_head + 1) % polls_kept;
}

MeterHistorySnapshot MeterHistory::snapshot(const std::string& meter, TimePoint now) const {
    std::lock_guard lock(mutex_);
    MeterHistorySnapshot out;
    auto it = meters_.find(meter);
    if (it == meters_.end()) return out;
    const Meter& m = it->second;
    out.latest = m.latest;
    out.missing = m.missing;
    for (const std::string& key : m.chart_keys) {
        ChartSeries series;
        series.key = key;
        if (auto chart = m.charts.find(key); chart != m.charts.end()) {
            series.name = chart->second.name;
            series.unit = chart->second.unit;
            series.points = chart->second.ring.since(now - window);
        }
        out.charts.push_back(std::move(series));
    }
    for (std::size_t i = 0; i < m.polls.size(); ++i) out.polls.push_back(m.polls[(m.polls_head + i) % m.polls.size()]);
    return out;
}

std::size_t MeterHistory::bytes(const std::string& meter) const {
    std::lock_guard lock(mutex_);
    auto it = meters_.find(meter);
    if (it == meters_.end()) return 0;
    std::size_t total = it->second.polls.capacity() * sizeof(PollOutcome);
    for (const auto& [key, chart] : it->second.charts) total += chart.ring.bytes() + sizeof(Charted) + key.size();
    for (const auto& [key, reading] : it->second.latest) total += sizeof(Reading) + key.size() + reading.name.size();
    return total;
}

}  // namespace kamgw::app
