#include "core/meter/meter_runner.hpp"

#include "core/config/duration.hpp"

#include <fmt/chrono.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/system_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <deque>
#include <map>
#include <mutex>
#include <random>

#include "core/base/logging.hpp"
#include "core/meter/deadline_io.hpp"
#include "core/meter/lag_watch.hpp"
#include "core/meter/schedule.hpp"

namespace kamgw::meter {
namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;

// Meters that share a line (one serial port, one ser2net connection) take turns: each gets a
// slot (its read offset) and only one of them talks at a time.
struct LineGroup {
    std::mutex mutex;
    std::vector<const void*> members;
    bool busy = false;
    // Members waiting for the line, first come first served: a meter that polls back to back
    // must not starve the others (they would never poll, and never report how late they are).
    std::deque<const void*> waiting;
};

struct LineGroupRegistry {
    std::mutex mutex;
    std::map<std::string, std::weak_ptr<LineGroup>> groups;
};

LineGroupRegistry& line_groups() {
    static LineGroupRegistry registry;
    return registry;
}

std::pair<std::shared_ptr<LineGroup>, std::size_t> join_line_group(const std::string& name, const void* member) {
    auto& registry = line_groups();
    std::lock_guard lock(registry.mutex);
    auto group = registry.groups[name].lock();
    if (!group) {
        group = std::make_shared<LineGroup>();
        registry.groups[name] = group;
    }
    std::lock_guard group_lock(group->mutex);
    group->members.push_back(member);
    return {group, group->members.size() - 1};
}

void leave_line_group(const std::shared_ptr<LineGroup>& group, const void* member) {
    if (!group) return;
    std::lock_guard lock(group->mutex);
    std::erase(group->members, member);
    std::erase(group->waiting, member);
}

std::size_t line_group_size(const std::shared_ptr<LineGroup>& group) {
    std::lock_guard lock(group->mutex);
    return group->members.size();
}

// "21:40:03", local time: when the next attempt happens, for the log.
std::string clock_text(TimePoint when) { return fmt::format("{:%H:%M:%S}", fmt::localtime(Clock::to_time_t(when))); }

// The session's detail without the meter name the logger already shows.
std::string_view without_meter_prefix(std::string_view detail, const std::string& name) {
    const std::string prefix = "meter " + name + ": ";
    if (detail.substr(0, prefix.size()) == prefix) detail.remove_prefix(prefix.size());
    return detail;
}

// When the earliest of `ids` fell due: the reference point of a poll's lag.
std::optional<TimePoint> earliest_due(std::span<const RegisterTrack> tracks, std::span<const std::uint16_t> ids,
                                      bool align, milliseconds offset, TimePoint start) {
    std::optional<TimePoint> earliest;
    for (const auto& t : tracks) {
        if (std::find(ids.begin(), ids.end(), t.id) == ids.end()) continue;
        const TimePoint due = next_due(t.last_read, t.every, align, offset, start);
        if (!earliest || due < *earliest) earliest = due;
    }
    return earliest;
}

std::string line_group_name(const config::MeterConfig& cfg) {
    if (!cfg.line_group.empty()) return cfg.line_group;
    const auto& ep = cfg.endpoint;
    if (!ep.host.empty()) return ep.scheme + "://" + ep.host + (ep.port.empty() ? "" : ":" + ep.port);
    if (!ep.path.empty()) return ep.path;
    return cfg.url;
}

}  // namespace

struct MeterRunner::State : std::enable_shared_from_this<MeterRunner::State> {
    State(boost::asio::any_io_executor executor, config::MeterConfig config, TransportFactory factory,
          RunnerCallbacks cbs, milliseconds min_demand, RunnerTuning t)
        : ex(boost::asio::make_strand(std::move(executor))),
          cfg(std::move(config)),
          callbacks(std::move(cbs)),
          min_on_demand(min_demand),
          tuning(t),
          session(std::make_unique<MeterSession>(ex, cfg, std::move(factory), t.session)),
          wake(ex),
          log(base::make_logger("meter " + cfg.name)) {
        identity = session->identity();
        snapshot.identity = identity;
    }

    boost::asio::any_io_executor ex;
    config::MeterConfig cfg;
    RunnerCallbacks callbacks;
    milliseconds min_on_demand;
    RunnerTuning tuning;
    std::unique_ptr<MeterSession> session;  // used on the strand only
    boost::asio::system_timer wake;         // used on the strand only
    std::shared_ptr<spdlog::logger> log;
    std::shared_ptr<LineGroup> group;
    std::size_t slot = 0;

    std::atomic<bool> stopped{false};
    mutable std::mutex mutex;  // guards everything below
    bool started = false;
    bool on_demand_pending = false;
    std::optional<TimePoint> last_read;
    SessionCounters counters;
    MeterHealth health = MeterHealth::starting;
    MeterIdentity identity;
    RunnerSnapshot snapshot;

    std::vector<RegisterInfo> registers() const { return configured_registers(cfg); }

    void publish(std::optional<milliseconds> lag = std::nullopt, std::optional<bool> behind = std::nullopt) {
        std::lock_guard lock(mutex);
        counters = session->counters();
        health = session->health();
        identity = session->identity();
        snapshot.identity = identity;
        snapshot.health = health;
        snapshot.detail = session->detail();
        snapshot.counters = counters;
        snapshot.missing_registers = session->unsupported_registers();
        if (lag) snapshot.poll_lag = *lag;
        if (behind) snapshot.behind = *behind;
        snapshot.next_attempt.reset();  // schedule_retry() sets it when there is one
        snapshot.last_poll = last_read;
    }

    void report_lag(LagWatch& watch, milliseconds lag, milliseconds last_poll_took);
    TimePoint schedule_retry(Backoff& backoff, std::optional<TimePoint> scheduled);

    boost::asio::awaitable<void> wait_until(TimePoint when) {
        wake.expires_at(when);
        boost::system::error_code ec;
        co_await wake.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
    }

    // Waits for `when`, watching the open link meanwhile (MeterSession::watch_until). True
    // when the link died while idle; health and status are published then.
    boost::asio::awaitable<bool> idle_until(TimePoint when) {
        if (!session->link_open()) {
            co_await wait_until(when);
            co_return false;
        }
        const auto left = std::chrono::duration_cast<std::chrono::steady_clock::duration>(when - Clock::now());
        const bool lost = co_await session->watch_until(std::chrono::steady_clock::now() + left);
        if (lost) {
            publish();
            if (callbacks.on_status) callbacks.on_status(session->status());
        }
        co_return lost;
    }

    // False when the runner was stopped while it waited.
    boost::asio::awaitable<bool> acquire_line() {
        for (;;) {
            {
                std::lock_guard lock(group->mutex);
                if (stopped) {
                    std::erase(group->waiting, this);
                    co_return false;
                }
                if (std::find(group->waiting.begin(), group->waiting.end(), this) == group->waiting.end())
                    group->waiting.push_back(this);
                if (!group->busy && group->waiting.front() == this) {
                    group->waiting.pop_front();
                    group->busy = true;
                    co_return true;
                }
            }
            co_await sleep_for(50ms);
        }
    }

    void release_line() {
        std::lock_guard lock(group->mutex);
        group->busy = false;
    }

    boost::asio::awaitable<void> run();
};

void MeterRunner::State::report_lag(LagWatch& watch, milliseconds lag, milliseconds last_poll_took) {
    switch (watch.observe(lag)) {
        case LagWatch::Change::fell_behind: {
            const std::size_t sharing = line_group_size(group);
            std::string why = last_poll_took.count() > 0
                                  ? "the last poll took " + config::format_duration(last_poll_took)
                                  : std::string("the first poll waited");
            if (sharing > 1)
                why += " and " + std::to_string(sharing) + " meters take turns on the line " + line_group_name(cfg);
            log->warn(
                "polls are falling behind: this one started {} after it was due (interval {}); {}: lengthen "
                "`interval`, read fewer registers{}",
                config::format_duration(lag), config::format_duration(cfg.interval), why,
                sharing > 1 ? ", or spread these meters over more lines (`line_group`)" : "");
            break;
        }
        case LagWatch::Change::caught_up:
            log->info("polls are on time again (this one started {} after it was due)", config::format_duration(lag));
            break;
        case LagWatch::Change::none:
            break;
    }
}

// After a closed link or a failed identification: when to try again, logged once with the
// reason and the real time of the attempt. A lost link, or a meter that answers garbled, is
// tried again after the backoff (never later than one interval); a meter that does not answer
// at all is tried at the next scheduled poll (`scheduled`), because more requests would only
// keep a sleeping optical port from waking and cost the battery. A lost link is described
// here only (the session keeps that line for the runner); other health changes were logged
// by the session already, so the reason is enough.
TimePoint MeterRunner::State::schedule_retry(Backoff& backoff, std::optional<TimePoint> scheduled) {
    const TimePoint now = Clock::now();
    const milliseconds backed_off = std::min(backoff.next(), std::max(cfg.interval, milliseconds(1)));
    const TimePoint at = scheduled ? std::max(*scheduled, now) : now + backed_off;
    std::string why;
    const char* what = "reopening the link";
    if (session->health() == MeterHealth::link_down) {
        why = without_meter_prefix(session->detail(), cfg.name);
    } else if (session->needs_reopen()) {
        why = session->close_reason();
    } else {
        why = "the meter is not identified yet";
        what = "identifying it again";
    }
    const auto level = backoff.attempt() <= 1 ? spdlog::level::warn : spdlog::level::info;
    log->log(level, "{}; {} in {} at {} (attempt {})", why, what,
             config::format_duration(std::chrono::duration_cast<milliseconds>(at - now)), clock_text(at),
             backoff.attempt());
    std::lock_guard lock(mutex);
    snapshot.next_attempt = at;
    return at;
}

boost::asio::awaitable<void> MeterRunner::State::run() {
    auto self = shared_from_this();  // keeps the state alive while the loop runs
    const TimePoint start = Clock::now();
    const std::vector<RegisterInfo> infos = registers();
    std::vector<RegisterTrack> tracks;
    for (std::size_t i = 0; i < infos.size(); ++i) {
        milliseconds every = i < cfg.registers.size() ? cfg.registers[i].every : milliseconds(0);
        if (every.count() <= 0) every = cfg.interval;
        tracks.push_back(RegisterTrack{infos[i].id, every, std::nullopt});
    }
    const milliseconds offset = line_offset(slot, tuning.line_spacing, cfg.interval);
    std::uint64_t seed = tuning.seed;
    if (seed == 0) seed = std::random_device{}();
    Backoff backoff(tuning.backoff_initial, tuning.backoff_max, seed);
    std::optional<TimePoint> retry_at;
    std::vector<std::uint16_t> retry_ids;

    log->info(
        "reading {} registers every {}{} (about {:.0f} requests a day{})", infos.size(),
        config::format_duration(cfg.interval), cfg.align ? ", aligned to the clock" : "", requests_per_day(tracks),
        offset.count() > 0 ? ", offset " + config::format_duration(offset) + " from other meters on this line" : "");

    TimePoint day_started = start;
    SessionCounters day_base;
    LagWatch lag_watch(cfg.interval);
    milliseconds last_poll_took{0};

    while (!stopped) {
        const TimePoint now = Clock::now();
        bool on_demand = false;
        {
            std::lock_guard lock(mutex);
            std::swap(on_demand, on_demand_pending);
        }
        std::vector<std::uint16_t> ids;
        std::optional<TimePoint> due_at;  // for the lag of scheduled polls
        if (on_demand) {
            for (const auto& t : tracks) ids.push_back(t.id);
        } else if (retry_at) {
            // Scheduled polls wait for the announced attempt, which then reads them too.
            if (now < *retry_at) {
                co_await wait_until(*retry_at);
                continue;
            }
            ids = retry_ids;
            for (auto id : plan_poll(tracks, cfg.align, offset, start, now, tuning.batch_slack).due)
                if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
            retry_at.reset();
        } else {
            const PollPlan plan = plan_poll(tracks, cfg.align, offset, start, now, tuning.batch_slack);
            if (plan.due.empty()) {
                {
                    std::lock_guard lock(mutex);
                    snapshot.next_poll = plan.next_wake;
                }
                if (co_await idle_until(plan.next_wake)) {
                    // Reopened now (with backoff), not at the next poll: health and the next
                    // reading should not wait an interval for a link that is back in seconds.
                    retry_ids.clear();
                    retry_at = schedule_retry(backoff, std::nullopt);
                }
                continue;
            }
            ids = plan.due;
            due_at = earliest_due(tracks, ids, cfg.align, offset, start);
        }

        std::vector<RegisterInfo> wanted;
        for (auto& t : tracks) {
            if (std::find(ids.begin(), ids.end(), t.id) == ids.end()) continue;
            t.last_read = now;
            for (const auto& info : infos)
                if (info.id == t.id) wanted.push_back(info);
        }
        // Nothing due: a reopen after the link died between polls.
        const bool reopen_only = wanted.empty();
        if (!reopen_only) {
            std::lock_guard lock(mutex);
            last_read = now;
        }
        if (!co_await acquire_line()) break;
        std::optional<milliseconds> lag;
        if (due_at) {
            lag = std::max(milliseconds(0), std::chrono::duration_cast<milliseconds>(Clock::now() - *due_at));
            report_lag(lag_watch, *lag, last_poll_took);
        }
        const TimePoint poll_started = Clock::now();
        ReadingBatch batch;
        try {
            if (reopen_only)
                co_await session->connect();
            else
                batch = co_await session->poll(std::move(wanted), on_demand);
        } catch (...) {
            release_line();
            throw;
        }
        release_line();
        last_poll_took = std::chrono::duration_cast<milliseconds>(Clock::now() - poll_started);
        publish(lag, lag_watch.behind());
        if (stopped) break;

        if (session->needs_reopen() || !session->identified()) {
            if (session->health() == MeterHealth::link_down || session->answers_garbled()) {
                retry_ids.clear();
                for (const auto& m : batch.missing) retry_ids.push_back(m.register_id);
                retry_at = schedule_retry(backoff, std::nullopt);
            } else {
                const PollPlan next = plan_poll(tracks, cfg.align, offset, start, Clock::now(), tuning.batch_slack);
                schedule_retry(backoff, next.due.empty() ? next.next_wake : Clock::now());
                retry_at.reset();
            }
        } else {
            backoff.reset();
            retry_at.reset();
        }

        // Readings come only from an identified meter; a poll that could not identify it has
        // nothing to say that the status does not.
        const bool identified = !batch.readings.empty() || session->identified();
        if (identified && !reopen_only && callbacks.on_batch) callbacks.on_batch(batch);
        if (callbacks.on_status) callbacks.on_status(session->status());

        const TimePoint after = Clock::now();
        if (after - day_started >= std::chrono::hours(24)) {
            const SessionCounters& c = session->counters();
            log->info("last 24 h: {} polls ({} failed), {} requests to the meter, {} timeouts, {} CRC errors",
                      c.polls - day_base.polls, c.polls_failed - day_base.polls_failed, c.requests - day_base.requests,
                      c.timeouts - day_base.timeouts, c.crc_errors - day_base.crc_errors);
            day_base = c;
            day_started = after;
        }
    }
    session->close();
    publish();
}

MeterRunner::MeterRunner(boost::asio::any_io_executor ex, config::MeterConfig cfg, TransportFactory make_transport,
                         RunnerCallbacks callbacks, milliseconds min_on_demand_interval, RunnerTuning tuning)
    : state_(std::make_shared<State>(std::move(ex), std::move(cfg), std::move(make_transport), std::move(callbacks),
                                     min_on_demand_interval, tuning)) {
    auto [group, slot] = join_line_group(line_group_name(state_->cfg), state_.get());
    state_->group = std::move(group);
    state_->slot = slot;
}

MeterRunner::~MeterRunner() {
    stop();
    leave_line_group(state_->group, state_.get());
}

void MeterRunner::start() {
    {
        std::lock_guard lock(state_->mutex);
        if (state_->started) return;
        state_->started = true;
    }
    auto state = state_;
    boost::asio::co_spawn(
        state->ex, [state]() { return state->run(); },
        [state](std::exception_ptr e) {
            if (!e) return;
            try {
                std::rethrow_exception(e);
            } catch (const std::exception& ex) {
                state->log->error("the meter loop stopped: {}", ex.what());
            }
        });
}

void MeterRunner::stop() {
    state_->stopped = true;
    auto state = state_;
    boost::asio::post(state->ex, [state] {
        state->wake.cancel();
        state->session->cancel_watch();
    });
}

ReadRequestResult MeterRunner::request_read() {
    if (state_->stopped) return ReadRequestResult::unknown_meter;
    {
        std::lock_guard lock(state_->mutex);
        const TimePoint now = Clock::now();
        if (state_->on_demand_pending) return ReadRequestResult::accepted;  // already queued
        if (!on_demand_allowed(state_->last_read, now, state_->min_on_demand)) return ReadRequestResult::rate_limited;
        state_->on_demand_pending = true;
        state_->last_read = now;
    }
    auto state = state_;
    boost::asio::post(state->ex, [state] {
        state->wake.cancel();
        state->session->cancel_watch();
    });
    return ReadRequestResult::accepted;
}

SessionCounters MeterRunner::counters() const {
    std::lock_guard lock(state_->mutex);
    return state_->counters;
}

MeterHealth MeterRunner::health() const {
    std::lock_guard lock(state_->mutex);
    return state_->health;
}

RunnerSnapshot MeterRunner::snapshot() const {
    std::lock_guard lock(state_->mutex);
    return state_->snapshot;
}

MeterIdentity MeterRunner::identity() const {
    std::lock_guard lock(state_->mutex);
    return state_->identity;
}

const config::MeterConfig& MeterRunner::config() const { return state_->cfg; }

}  // namespace kamgw::meter
