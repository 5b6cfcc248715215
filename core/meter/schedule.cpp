#include "core/meter/schedule.hpp"

#include <algorithm>

namespace kamgw::meter {

using std::chrono::milliseconds;

TimePoint next_boundary(TimePoint t, milliseconds every, milliseconds offset) {
    if (every.count() <= 0) return t;
    const auto since = std::chrono::duration_cast<milliseconds>(t.time_since_epoch()) - offset;
    // floor division that also works before the epoch / offset
    auto k = since.count() / every.count();
    if (since.count() < 0 && since.count() % every.count() != 0) --k;
    TimePoint b{std::chrono::duration_cast<Clock::duration>(milliseconds((k + 1) * every.count()) + offset)};
    while (b <= t) b += every;
    return b;
}

TimePoint next_due(std::optional<TimePoint> last_read, milliseconds every, bool align, milliseconds offset,
                   TimePoint start) {
    if (!last_read) return start + offset;
    if (align) return next_boundary(*last_read, every, offset);
    return *last_read + every;
}

PollPlan plan_poll(std::span<const RegisterTrack> registers, bool align, milliseconds offset, TimePoint start,
                   TimePoint now, milliseconds slack) {
    PollPlan plan;
    std::optional<TimePoint> wake;
    for (const auto& r : registers) {
        const TimePoint due = next_due(r.last_read, r.every, align, offset, start);
        // A slack as long as the cadence would make a register due again the moment its poll
        // ends (a 2 s interval read back to back); a quarter of the cadence keeps it apart.
        const milliseconds window = std::min(slack, r.every / 4);
        TimePoint after;
        if (due <= now + window) {
            plan.due.push_back(r.id);
            after = next_due(now, r.every, align, offset, start);  // as if read now
        } else {
            after = due;
        }
        if (!wake || after < *wake) wake = after;
    }
    plan.next_wake = wake.value_or(now + std::chrono::hours(24));
    return plan;
}

milliseconds line_offset(std::size_t slot, milliseconds spacing, milliseconds interval) {
    if (interval.count() <= 0) return milliseconds(0);
    return milliseconds((static_cast<std::int64_t>(slot) * spacing.count()) % interval.count());
}

bool on_demand_allowed(std::optional<TimePoint> last_read, TimePoint now, milliseconds min_interval) {
    return !last_read || now - *last_read >= min_interval || now < *last_read;  // a clock step back allows it
}

double requests_per_day(std::span<const RegisterTrack> registers) {
    // Registers with the same cadence share polls; each poll sends ceil(n / 8) requests.
    std::vector<std::pair<milliseconds, std::size_t>> groups;
    for (const auto& r : registers) {
        auto it = std::find_if(groups.begin(), groups.end(), [&](const auto& g) { return g.first == r.every; });
        if (it == groups.end())
            groups.emplace_back(r.every, 1);
        else
            ++it->second;
    }
    double total = 0;
    for (const auto& [every, count] : groups) {
        if (every.count() <= 0) continue;
        const double polls = 86'400'000.0 / static_cast<double>(every.count());
        total += polls * static_cast<double>((count + 7) / 8);
    }
    return total;
}

Backoff::Backoff(milliseconds initial, milliseconds max, std::uint64_t seed)
    : initial_(std::max(initial, milliseconds(1))), max_(std::max(max, initial)), rng_(seed) {}

milliseconds Backoff::ceiling() const {
    const unsigned shift = std::min(attempt_, 30u);
    const auto grown = static_cast<double>(initial_.count()) * static_cast<double>(1ull << shift);
    return milliseconds(static_cast<std::int64_t>(std::min(grown, static_cast<double>(max_.count()))));
}

milliseconds Backoff::next() {
    const auto cap = ceiling();
    ++attempt_;
    // A small floor keeps a run of unlucky zero draws from spinning on a dead link.
    const std::int64_t floor = std::min<std::int64_t>(cap.count(), std::max<std::int64_t>(1, initial_.count() / 10));
    std::uniform_int_distribution<std::int64_t> pick(floor, cap.count());
    return milliseconds(pick(rng_));
}

}  // namespace kamgw::meter
