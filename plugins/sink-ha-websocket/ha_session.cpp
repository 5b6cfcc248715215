// The Home Assistant session: connect, authenticate, set up, resync (states and the statistics
// gap), then run (states, hourly imports, pings) until the connection drops. One file because it
// is one coroutine state machine whose steps share the connection and the message ids; the pure
// parts (messages, hourly rows, options) live in their own files.
#include "plugins/sink-ha-websocket/ha_session.hpp"

#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <random>

namespace kamgw::ha_websocket {
namespace {

namespace asio = boost::asio;
using asio::use_awaitable;
using std::chrono::milliseconds;
using SteadyClock = std::chrono::steady_clock;

// Home Assistant drops a client that does not authenticate within 10 s; waiting longer for
// its own messages in the auth phase makes no sense either.
constexpr milliseconds auth_timeout{10'000};

// While waiting out a refused token, a changed token file ends the wait early.
constexpr milliseconds token_file_poll{5'000};

class ConnectionLost : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

std::string seconds_text(milliseconds d) {
    if (d.count() % 60'000 == 0 && d.count() >= 60'000) return fmt::format("{} min", d.count() / 60'000);
    if (d.count() % 1000 == 0) return fmt::format("{} s", d.count() / 1000);
    return fmt::format("{:.1f} s", static_cast<double>(d.count()) / 1000.0);
}

std::string error_code_of(const json& reply) {
    if (reply.contains("error") && reply["error"].is_object()) return reply["error"].value("code", "");
    return "";
}
std::string error_message_of(const json& reply) {
    if (reply.contains("error") && reply["error"].is_object()) return reply["error"].value("message", "");
    return "";
}
bool succeeded(const json& reply) { return reply.value("success", false); }

// Built outside the coroutines: g++ 12 miscompiles braced json literals inside them.
json simple_command(const char* type) {
    json m = json::object();
    m["type"] = type;
    return m;
}

milliseconds jittered(milliseconds base) {
    // Half fixed, half random: many gateways restarted together do not reconnect in step.
    thread_local std::mt19937_64 rng{std::random_device{}()};
    std::uniform_int_distribution<long long> spread(0, base.count() / 2);
    return milliseconds(base.count() - base.count() / 2 + spread(rng));
}

}  // namespace

HaSession::HaSession(asio::io_context& io, Options options, SinkStore& store, Logger& log, NowFn now)
    : io_(io),
      options_(std::move(options)),
      store_(store),
      log_(log),
      now_(std::move(now)),
      token_(options_.token),
      wake_timer_(io),
      sleep_timer_(io),
      backoff_(options_.reconnect_min) {}

HaSession::~HaSession() = default;

void HaSession::wake() {
    work_pending_ = true;
    asio::post(io_, [this] { wake_timer_.expires_at(SteadyClock::time_point::min()); });
}

void HaSession::reconnect() {
    asio::post(io_, [this] {
        sleep_timer_.cancel();
        if (conn_) conn_->close();
    });
}

void HaSession::stop() {
    stopping_ = true;
    {
        std::lock_guard lock(delivery_mutex_);
        delivery_changed_.notify_all();
    }
    asio::post(io_, [this] {
        sleep_timer_.cancel();
        wake_timer_.expires_at(SteadyClock::time_point::min());
        if (conn_) conn_->close();
        if (rest_) rest_->close();
        for (auto& [id, p] : pending_) p->timer.expires_at(SteadyClock::time_point::min());
    });
}

void HaSession::set_health(LinkHealth health, std::string detail) {
    store_.update_status([&](SinkStatus& s) {
        s.health = health;
        s.detail = std::move(detail);
    });
    std::lock_guard lock(delivery_mutex_);
    delivery_changed_.notify_all();  // a writer waiting for an answer learns that Home Assistant is away
}

std::uint64_t HaSession::request_delivery() {
    std::lock_guard lock(delivery_mutex_);
    return ++delivery_requested_;
}

std::uint64_t HaSession::delivery_requested() {
    std::lock_guard lock(delivery_mutex_);
    return delivery_requested_;
}

void HaSession::mark_delivered(std::uint64_t ticket) {
    std::lock_guard lock(delivery_mutex_);
    delivered_ = std::max(delivered_, ticket);
    delivery_changed_.notify_all();
}

bool HaSession::wait_delivered(std::uint64_t ticket, milliseconds limit) {
    const auto away = [this] {
        const LinkHealth h = store_.status().health;
        return h == LinkHealth::unreachable || h == LinkHealth::auth_failed || h == LinkHealth::waiting_for_start ||
               h == LinkHealth::stopped;
    };
    std::unique_lock lock(delivery_mutex_);
    delivery_changed_.wait_for(lock, limit, [&] { return delivered_ >= ticket || stopping_ || away(); });
    return delivered_ >= ticket;
}

void HaSession::settle_health() {
    if (degraded_reasons_.empty()) {
        set_health(LinkHealth::ok, "connected to Home Assistant " + ha_version_);
        return;
    }
    std::string why;
    for (const std::string& r : degraded_reasons_) why += (why.empty() ? "" : "; ") + r;
    set_health(LinkHealth::degraded, why);
}

asio::awaitable<void> HaSession::run() {
    set_health(LinkHealth::connecting, "connecting to " + options_.url);
    // kamgw and Home Assistant often start together (a host boot): probe from the start too.
    probe_until_ = SteadyClock::now() + options_.restart_probe_for;
    bool probe_announced = false;
    while (!stopping_) {
        Ending ending = Ending::lost;
        std::string why;
        try {
            ending = co_await session_once();
        } catch (const std::exception& e) {
            why = e.what();
        }
        teardown();
        if (stopping_) break;
        if (ending == Ending::auth_refused) {
            co_await wait_after_auth_failure();
            continue;
        }
        if (authenticated_) {
            // It was there a moment ago: most likely restarting, back within seconds.
            probe_until_ = SteadyClock::now() + options_.restart_probe_for;
            probe_announced = false;
            authenticated_ = false;
        }
        if (why.empty()) why = reader_error_.empty() ? "connection closed" : reader_error_;
        set_health(LinkHealth::unreachable, "Home Assistant at " + options_.url + " is unreachable: " + why);
        if (SteadyClock::now() < probe_until_) {
            const milliseconds delay = jittered(options_.restart_probe_interval);
            if (!probe_announced)
                log_.warn(
                    fmt::format("Home Assistant at {} is unreachable or restarting ({}); trying again every {} "
                                "for up to {}",
                                options_.url, why, seconds_text(options_.restart_probe_interval),
                                seconds_text(options_.restart_probe_for)));
            probe_announced = true;
            co_await sleep(delay);
            continue;
        }
        const milliseconds delay = jittered(backoff_);
        log_.warn(fmt::format("Home Assistant at {} is unreachable or restarting ({}); reconnecting in {}",
                              options_.url, why, seconds_text(delay)));
        co_await sleep(delay);
        backoff_ = std::min(backoff_ * 2, options_.reconnect_max);
    }
    set_health(LinkHealth::stopped, "stopped");
}

asio::awaitable<void> HaSession::sleep(milliseconds duration) {
    if (stopping_) co_return;
    sleep_timer_.expires_after(duration);
    boost::system::error_code ec;
    co_await sleep_timer_.async_wait(asio::redirect_error(use_awaitable, ec));
}

asio::awaitable<void> HaSession::wait_after_auth_failure() {
    const auto until = SteadyClock::now() + options_.auth_fail_backoff;
    const std::string old_token = token_;
    while (!stopping_ && SteadyClock::now() < until) {
        const auto left = std::chrono::duration_cast<milliseconds>(until - SteadyClock::now());
        co_await sleep(options_.token_file.empty() ? left : std::min(left, token_file_poll));
        if (!options_.token_file.empty() && read_token_file(options_.token_file) != old_token &&
            !read_token_file(options_.token_file).empty()) {
            log_.info("the token file " + options_.token_file + " changed; trying the new token now");
            break;
        }
    }
    if (!options_.token_file.empty()) {
        const std::string fresh = read_token_file(options_.token_file);
        if (fresh.empty())
            log_.warn("cannot read a token from " + options_.token_file + "; trying the previous token again");
        else
            token_ = fresh;
    }
}

void HaSession::teardown() {
    ++generation_;
    if (conn_) conn_->close();
    conn_.reset();
    if (rest_) rest_->close();
    rest_.reset();
    for (auto& [id, p] : pending_) p->timer.expires_at(SteadyClock::time_point::min());
    pending_.clear();
    reader_alive_ = false;
    store_.update_status([](SinkStatus& s) { s.connected = false; });
}

asio::awaitable<HaSession::Ending> HaSession::session_once() {
    set_health(LinkHealth::connecting, "connecting to " + options_.url);
    store_.update_status([](SinkStatus& s) { ++s.connect_attempts; });
    next_id_ = 0;
    reader_error_.clear();
    resume_.clear();
    refused_statistics_.clear();
    degraded_reasons_.clear();
    first_push_done_ = false;
    conn_ = std::shared_ptr<WsConnection>(make_ws_connection(io_, options_));
    rest_ = make_rest_client(io_, options_);
    co_await conn_->connect(options_.request_timeout);
    // The auth phase's messages carry no id; they are delivered to the waiter under key 0,
    // which exists before the reader can see anything.
    pending_[0] = std::make_shared<Pending>(io_);
    reader_alive_ = true;
    asio::co_spawn(io_, reader(conn_, generation_), asio::detached);
    if (!co_await authenticate()) co_return Ending::auth_refused;
    authenticated_ = true;
    backoff_ = options_.reconnect_min;
    co_await set_up();
    co_await serve();
    co_return stopping_ ? Ending::stopping : Ending::lost;
}

asio::awaitable<void> HaSession::reader(std::shared_ptr<WsConnection> conn, std::uint64_t generation) {
    std::string error;
    try {
        for (;;) {
            const std::string text = co_await conn->read();
            if (generation != generation_) co_return;
            const json message = json::parse(text, nullptr, false);
            if (message.is_discarded()) {
                log_.warn("Home Assistant sent a frame that is not JSON; ignored");
                continue;
            }
            // With coalesce_messages, one frame may carry several messages as an array.
            if (message.is_array()) {
                for (const json& m : message) dispatch(m);
            } else {
                dispatch(message);
            }
        }
    } catch (const std::exception& e) {
        error = e.what();
    }
    if (generation != generation_) co_return;
    reader_alive_ = false;
    reader_error_ = error;
    for (auto& [id, p] : pending_) p->timer.expires_at(SteadyClock::time_point::min());
    wake_timer_.expires_at(SteadyClock::time_point::min());
}

void HaSession::dispatch(const json& m) {
    if (!m.is_object()) return;
    const std::string type = m.value("type", "");
    if (type == "event") {
        const json& event = m.contains("event") ? m["event"] : json::object();
        if (m.value("id", -1) == started_subscription_ && event.value("event_type", "") == "homeassistant_started") {
            ha_started_ = true;
            wake_timer_.expires_at(SteadyClock::time_point::min());
        }
        return;
    }
    const int id = type.starts_with("auth") ? 0 : m.value("id", -1);
    auto it = pending_.find(id);
    if (it == pending_.end()) return;  // an answer that came after its caller gave up
    it->second->reply = m;
    it->second->timer.expires_at(SteadyClock::time_point::min());
}

asio::awaitable<json> HaSession::next_auth_message(milliseconds timeout) {
    auto p = pending_.at(0);
    if (!p->reply) {
        p->timer.expires_after(timeout);
        boost::system::error_code ec;
        co_await p->timer.async_wait(asio::redirect_error(use_awaitable, ec));
    }
    if (!p->reply) {
        if (!reader_alive_) throw ConnectionLost(reader_error_.empty() ? "connection closed" : reader_error_);
        throw ConnectionLost("no auth message from Home Assistant within " + seconds_text(timeout));
    }
    json reply = std::move(*p->reply);
    p->reply.reset();
    co_return reply;
}

asio::awaitable<bool> HaSession::authenticate() {
    const json required = co_await next_auth_message(auth_timeout);
    if (required.value("type", "") != "auth_required")
        throw ConnectionLost("expected auth_required, got " + required.value("type", "?"));
    ha_version_ = required.value("ha_version", "");
    co_await conn_->write(auth_message(token_).dump());
    const json answer = co_await next_auth_message(auth_timeout);
    pending_.erase(0);
    const std::string type = answer.value("type", "");
    if (type == "auth_invalid") {
        store_.update_status([](SinkStatus& s) { ++s.auth_failures; });
        const std::string detail = fmt::format(
            "Home Assistant {} at {} refused the access token ({}). Create a long-lived access token in Home "
            "Assistant under your user Profile -> Security -> Long-lived access tokens (an administrator's), and "
            "put it in token{}; next try in {}",
            ha_version_, options_.url, answer.value("message", "auth_invalid"),
            options_.token_file.empty() ? "" : "_file " + options_.token_file,
            seconds_text(options_.auth_fail_backoff));
        log_.error(detail);
        set_health(LinkHealth::auth_failed, detail);
        co_return false;
    }
    if (type != "auth_ok") throw ConnectionLost("unexpected answer to auth: " + type);
    if (answer.contains("ha_version")) ha_version_ = answer.value("ha_version", ha_version_);
    store_.update_status([&](SinkStatus& s) {
        ++s.connects;
        s.connected = true;
        s.ha_version = ha_version_;
    });
    log_.info(fmt::format("authenticated to Home Assistant {} at {}", ha_version_, options_.url));
    co_return true;
}

asio::awaitable<json> HaSession::call(json message, milliseconds timeout) {
    if (!reader_alive_) throw ConnectionLost(reader_error_.empty() ? "connection closed" : reader_error_);
    // Ids must strictly increase on one connection; this coroutine is the only writer.
    const int id = ++next_id_;
    message["id"] = id;
    const std::string type = message.value("type", "?");
    auto p = std::make_shared<Pending>(io_);
    p->timer.expires_after(timeout);
    pending_[id] = p;
    co_await conn_->write(message.dump());
    if (!p->reply) {
        boost::system::error_code ec;
        co_await p->timer.async_wait(asio::redirect_error(use_awaitable, ec));
    }
    pending_.erase(id);
    if (p->reply) co_return std::move(*p->reply);
    if (stopping_) throw ConnectionLost("stopping");
    if (!reader_alive_) throw ConnectionLost(reader_error_.empty() ? "connection closed" : reader_error_);
    throw ConnectionLost(fmt::format("no answer to {} within {}", type, seconds_text(timeout)));
}

void HaSession::statistics_off(const std::string& why) {
    statistics_enabled_ = false;
    degraded_reasons_.insert(why);
    log_.warn(why);
    store_.update_status([](SinkStatus& s) { s.statistics_enabled = false; });
    settle_health();
}

void HaSession::not_admin(const std::string& what) {
    const std::string why = fmt::format(
        "the token's user is not an administrator, so Home Assistant refuses {}; use a long-lived token of an "
        "administrator",
        what);
    degraded_reasons_.insert(why);
    log_.warn(why);
    store_.update_status([](SinkStatus& s) { s.is_admin = false; });
    settle_health();
}

asio::awaitable<void> HaSession::set_up() {
    // Failure is harmless: then the server simply sends single messages.
    (void)co_await call(supported_features_command(), options_.request_timeout);

    const json config = co_await call(simple_command("get_config"), options_.request_timeout);
    bool recorder = false;
    std::string state = "RUNNING";
    if (succeeded(config) && config["result"].is_object()) {
        const json& r = config["result"];
        if (r.contains("version") && r["version"].is_string()) ha_version_ = r["version"].get<std::string>();
        if (r.contains("state") && r["state"].is_string()) state = r["state"].get<std::string>();
        if (r.contains("components") && r["components"].is_array())
            for (const json& c : r["components"])
                if (c.is_string() && c.get<std::string>() == "recorder") recorder = true;
    }
    const HaRelease release = ha_release(ha_version_);
    schema_ = metadata_schema_for(release);
    statistic_types_ = accepts_statistic_types(release);
    store_.set_release(release);

    bool is_admin = true;
    const json user = co_await call(simple_command("auth/current_user"), options_.request_timeout);
    if (succeeded(user) && user["result"].is_object()) is_admin = user["result"].value("is_admin", true);

    states_enabled_ = options_.push_states && is_admin;
    statistics_enabled_ = options_.import_statistics && recorder && is_admin;
    events_enabled_ = options_.fire_events && is_admin;
    store_.update_status([&](SinkStatus& s) {
        s.ha_version = ha_version_;
        s.is_admin = is_admin;
        s.states_enabled = states_enabled_;
        s.statistics_enabled = statistics_enabled_;
        s.metadata_schema = schema_;
    });
    log_.info(fmt::format("Home Assistant {} is {}; recorder {}; statistics metadata as {}", ha_version_, state,
                          recorder ? "loaded" : "not loaded", metadata_schema_name(schema_)));
    if (!is_admin) not_admin("POST /api/states, recorder/import_statistics and fire_event");
    if (options_.import_statistics && !recorder)
        statistics_off("Home Assistant has no recorder loaded, so long-term statistics are off; live states go on");

    ha_started_ = state == "RUNNING";
    if (!ha_started_) {
        const json sub = co_await call(subscribe_events_command("homeassistant_started"), options_.request_timeout);
        started_subscription_ = next_id_;
        if (!succeeded(sub))
            ha_started_ = true;  // nothing to wait for then
        else {
            log_.info("Home Assistant is still starting (" + state + "); waiting for homeassistant_started");
            set_health(LinkHealth::waiting_for_start, "Home Assistant is starting (" + state + ")");
        }
    }
    if (ha_started_) settle_health();
}

asio::awaitable<void> HaSession::serve() {
    store_.mark_all_dirty();  // Home Assistant forgets REST states when it restarts
    auto next_ping = SteadyClock::now() + options_.ping_interval;
    const auto start_deadline = SteadyClock::now() + options_.startup_wait;
    bool waiting = !ha_started_;
    for (;;) {
        if (stopping_) co_return;
        if (!reader_alive_) throw ConnectionLost(reader_error_.empty() ? "connection closed" : reader_error_);
        if (waiting && ha_started_) {
            waiting = false;
            log_.info("Home Assistant has started");
            settle_health();
        } else if (waiting && SteadyClock::now() >= start_deadline) {
            waiting = false;
            log_.warn("Home Assistant did not report homeassistant_started within " +
                      seconds_text(options_.startup_wait) + "; going on anyway");
            settle_health();
        }
        work_pending_ = false;
        if (!waiting) {
            // Everything recorded before this ticket is in the store now, so in this round.
            const std::uint64_t ticket = delivery_requested();
            bool accepted = true;
            if (states_enabled_) accepted = co_await push_states() && accepted;
            if (events_enabled_) accepted = co_await fire_events() && accepted;
            if (statistics_enabled_) co_await import_statistics();
            if (accepted) mark_delivered(ticket);
        }
        if (SteadyClock::now() >= next_ping) {
            co_await ping();
            next_ping = SteadyClock::now() + options_.ping_interval;
        }
        if (work_pending_ || stopping_) continue;
        auto until = next_ping;
        if (waiting) until = std::min(until, start_deadline);
        wake_timer_.expires_at(until);
        boost::system::error_code ec;
        co_await wake_timer_.async_wait(asio::redirect_error(use_awaitable, ec));
    }
}

asio::awaitable<void> HaSession::ping() {
    try {
        const json pong = co_await call(simple_command("ping"), options_.ping_timeout);
        if (pong.value("type", "") != "pong") log_.debug("answer to ping was not a pong: " + pong.dump());
    } catch (const ConnectionLost&) {
        if (stopping_) throw;
        if (reader_alive_) {
            store_.update_status([](SinkStatus& s) { ++s.pongs_missed; });
            throw ConnectionLost("no pong within " + seconds_text(options_.ping_timeout));
        }
        throw;
    }
}

asio::awaitable<bool> HaSession::push_states() {
    std::vector<StatePush> pushes = store_.take_dirty_states();
    if (pushes.empty()) co_return true;
    std::size_t posted = 0;
    for (std::size_t i = 0; i < pushes.size(); ++i) {
        const StatePush& p = pushes[i];
        HttpAnswer answer;
        try {
            answer =
                co_await rest_->post("/api/states/" + p.entity_id, p.body.dump(), token_, options_.request_timeout);
        } catch (const std::exception& e) {
            for (std::size_t j = i; j < pushes.size(); ++j) store_.mark_dirty(pushes[j].entity_id);
            log_.warn(fmt::format("POST /api/states failed ({}); the latest states are sent again later", e.what()));
            co_return false;
        }
        if (answer.status == 200 || answer.status == 201) {
            ++posted;
            continue;
        }
        if (answer.status == 401 || answer.status == 403) {
            for (std::size_t j = i; j < pushes.size(); ++j) store_.mark_dirty(pushes[j].entity_id);
            states_enabled_ = false;
            store_.update_status([](SinkStatus& s) { s.states_enabled = false; });
            not_admin(fmt::format("POST /api/states (HTTP {})", answer.status));
            co_return true;  // refused for good: health says so, retrying would not help
        }
        if (answer.status >= 400 && answer.status < 500) {
            log_.warn(fmt::format("Home Assistant refused the state of {} (HTTP {}: {}); dropped", p.entity_id,
                                  answer.status, answer.body));
            continue;
        }
        for (std::size_t j = i; j < pushes.size(); ++j) store_.mark_dirty(pushes[j].entity_id);
        log_.warn(fmt::format("POST /api/states/{} answered HTTP {}; sent again later", p.entity_id, answer.status));
        co_return false;
    }
    store_.update_status([&](SinkStatus& s) { s.states_posted += posted; });
    if (!first_push_done_) {
        log_.info(fmt::format("pushed {} states to Home Assistant", posted));
        first_push_done_ = true;
    } else {
        log_.debug(fmt::format("pushed {} states", posted));
    }
    co_return true;
}

asio::awaitable<bool> HaSession::fire_events() {
    while (auto event = store_.take_event()) {
        const json reply = co_await call(std::move(*event), options_.request_timeout);
        if (succeeded(reply)) {
            store_.update_status([](SinkStatus& s) { ++s.events_fired; });
            continue;
        }
        if (error_code_of(reply) == "unauthorized") {
            events_enabled_ = false;
            not_admin("fire_event");
            co_return true;
        }
        log_.warn("Home Assistant refused fire_event: " + error_message_of(reply));
    }
    co_return true;
}

asio::awaitable<void> HaSession::find_resume_points(const std::vector<std::string>& ids) {
    const TimePoint window = now_() - std::chrono::hours(24 * options_.backfill_max_days);
    json reply =
        co_await call(statistics_during_period_command(ids, window, statistic_types_), options_.request_timeout);
    if (!succeeded(reply) && statistic_types_ && error_code_of(reply) == "invalid_format" &&
        refuses_statistic_types(error_message_of(reply))) {
        log_.info(
            fmt::format("Home Assistant {} refused statistics_during_period's types ({}); asking for every "
                        "column instead",
                        ha_version_, error_message_of(reply)));
        statistic_types_ = false;
        reply = co_await call(statistics_during_period_command(ids, window, false), options_.request_timeout);
    }
    if (!succeeded(reply)) {
        const std::string code = error_code_of(reply);
        if (code == "unauthorized") {
            statistics_enabled_ = false;
            not_admin("recorder/statistics_during_period");
        } else if (code == "unknown_command") {
            statistics_off(
                "Home Assistant " + ha_version_ +
                " does not know recorder/statistics_during_period (recorder not loaded, or a Home Assistant older "
                "than 2022.x), so long-term statistics are off; live states go on");
        } else {
            statistics_off("Home Assistant refused recorder/statistics_during_period (" + code + ": " +
                           error_message_of(reply) + "), so long-term statistics are off until the next connection");
        }
        co_return;
    }
    const auto last = last_rows(reply["result"]);
    const auto tracks = store_.tracks();
    for (const std::string& id : ids) {
        auto it = last.find(id);
        if (it == last.end()) {
            resume_[id] = std::nullopt;
            log_.info(fmt::format("statistics {}: Home Assistant has no rows in the last {} days", id,
                                  options_.backfill_max_days));
            continue;
        }
        resume_[id] = it->second;
        for (const TrackSnapshot& t : tracks) {
            if (t.meta.statistic_id != id) continue;
            SumLedger ledger = load_ledger(t.ledger_file);
            const double before = ledger.has_baseline && it->second.state ? ledger.sum_for(*it->second.state) : 0;
            switch (rebase_on(ledger, it->second, t.state_at(it->second.start))) {
                case RebaseOutcome::continued:
                    log_.info(fmt::format("statistics {}: Home Assistant ends at {} with sum {}; continuing", id,
                                          iso_hour(it->second.start), *it->second.sum));
                    break;
                case RebaseOutcome::started:
                    log_.info(fmt::format("statistics {}: no local sum yet; continuing Home Assistant's sum {} from {}",
                                          id, *it->second.sum, iso_hour(it->second.start)));
                    save_ledger(t.ledger_file, ledger);
                    break;
                case RebaseOutcome::rebased:
                    log_.warn(fmt::format(
                        "statistics {}: Home Assistant's sum at {} is {} but the local sum would be {} (local state "
                        "lost or reset); rebasing on Home Assistant's sum",
                        id, iso_hour(it->second.start), *it->second.sum, before));
                    save_ledger(t.ledger_file, ledger);
                    store_.update_status([](SinkStatus& s) { ++s.rebases; });
                    break;
                case RebaseOutcome::no_state:
                    log_.warn(fmt::format("statistics {}: Home Assistant's last row at {} has no state or sum", id,
                                          iso_hour(it->second.start)));
                    break;
            }
        }
    }
}

asio::awaitable<void> HaSession::import_statistics() {
    const auto tracks = store_.tracks();
    std::vector<std::string> unknown;
    for (const TrackSnapshot& t : tracks)
        if (!resume_.count(t.meta.statistic_id)) unknown.push_back(t.meta.statistic_id);
    if (!unknown.empty()) co_await find_resume_points(unknown);
    if (!statistics_enabled_) co_return;

    const TimePoint now = now_();
    const HourStart window_start = hour_floor(now - std::chrono::hours(24 * options_.backfill_max_days));
    for (const TrackSnapshot& t : tracks) {
        const std::string& id = t.meta.statistic_id;
        if (refused_statistics_.count(id) || !resume_.count(id)) continue;
        std::optional<ResumePoint>& resume = resume_[id];
        SumLedger ledger = load_ledger(t.ledger_file);
        const std::vector<StatRow> rows = build_rows(t.rows, resume ? std::optional(resume->start) : std::nullopt,
                                                     window_start, now, ledger, resume ? resume->state : std::nullopt);
        if (rows.empty()) continue;
        std::size_t imported = 0;
        for (const auto chunk : chunk_rows(rows)) {
            json reply = co_await call(import_statistics_command(t.meta, schema_, chunk), options_.request_timeout);
            if (!succeeded(reply) && error_code_of(reply) == "invalid_format") {
                if (auto other = schema_after_invalid_format(schema_, error_message_of(reply))) {
                    log_.info(fmt::format(
                        "Home Assistant {} refused statistics metadata as {} ({}); sending it as {} instead",
                        ha_version_, metadata_schema_name(schema_), error_message_of(reply),
                        metadata_schema_name(*other)));
                    schema_ = *other;
                    store_.update_status([&](SinkStatus& s) { s.metadata_schema = schema_; });
                    reply = co_await call(import_statistics_command(t.meta, schema_, chunk), options_.request_timeout);
                }
            }
            if (!succeeded(reply)) {
                const std::string code = error_code_of(reply);
                if (code == "unauthorized") {
                    statistics_enabled_ = false;
                    store_.update_status([](SinkStatus& s) { s.statistics_enabled = false; });
                    not_admin("recorder/import_statistics");
                    co_return;
                }
                if (code == "unknown_command") {
                    statistics_off("Home Assistant " + ha_version_ +
                                   " does not know recorder/import_statistics (too old, or no recorder), so "
                                   "long-term statistics are off; live states go on");
                    co_return;
                }
                refused_statistics_.insert(id);
                log_.error(
                    fmt::format("Home Assistant refused statistics {} ({}: {}); skipped until the next connection", id,
                                code, error_message_of(reply)));
                break;
            }
            imported += chunk.size();
            resume = ResumePoint{chunk.back().start, chunk.back().state, chunk.back().sum};
            save_ledger(t.ledger_file, ledger);
            store_.update_status([&](SinkStatus& s) {
                ++s.import_calls;
                s.rows_imported += chunk.size();
            });
        }
        if (imported > 0) {
            const auto interpolated = std::count_if(rows.begin(), rows.begin() + static_cast<std::ptrdiff_t>(imported),
                                                    [](const StatRow& r) { return r.interpolated; });
            log_.info(fmt::format("statistics {}: imported {} hourly rows from {} to {}{}", id, imported,
                                  iso_hour(rows.front().start), iso_hour(rows[imported - 1].start),
                                  interpolated == 0 ? std::string()
                                                    : fmt::format(" ({} interpolated between the readings around the "
                                                                  "hour's end)",
                                                                  interpolated)));
        }
    }
}

}  // namespace kamgw::ha_websocket
