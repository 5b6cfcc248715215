// The conversation with one Home Assistant: connect, authenticate, set up, push every state
// again and fill the statistics gap after each (re)connect, then serve new readings, ping
// every ping_interval and reconnect with backoff when anything breaks.
//
// run() is a coroutine on the sink's own io_context thread; wake(), reconnect() and stop()
// may be called from any thread.
#pragma once

#include <utility>

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <condition_variable>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "kamgw/log.hpp"
#include "plugins/sink-ha-websocket/ha_messages.hpp"
#include "plugins/sink-ha-websocket/options.hpp"
#include "plugins/sink-ha-websocket/sink_store.hpp"
#include "plugins/sink-ha-websocket/ws_connection.hpp"

namespace kamgw::ha_websocket {

using NowFn = std::function<TimePoint()>;

class HaSession {
public:
    HaSession(boost::asio::io_context& io, Options options, SinkStore& store, Logger& log, NowFn now);
    ~HaSession();
    HaSession(const HaSession&) = delete;
    HaSession& operator=(const HaSession&) = delete;

    boost::asio::awaitable<void> run();

    void wake();       // new readings: push and import now
    void reconnect();  // drop the connection and connect again without waiting (SIGHUP)
    void stop();       // run() returns soon

    // Delivery acknowledgement for the lane thread. request_delivery() is called after new
    // readings were recorded in the store and returns a ticket; wait_delivered() is true once
    // Home Assistant accepted everything recorded before that ticket (its live states and
    // events; the statistics are built from the store's hourly journal). It returns false
    // after `limit`, or at once while Home Assistant is known to be away.
    std::uint64_t request_delivery();
    bool wait_delivered(std::uint64_t ticket, std::chrono::milliseconds limit);

private:
    struct Pending {
        explicit Pending(boost::asio::io_context& io) : timer(io) {}
        boost::asio::steady_timer timer;
        std::optional<json> reply;
    };
    enum class Ending { lost, auth_refused, stopping };

    boost::asio::awaitable<Ending> session_once();
    boost::asio::awaitable<bool> authenticate();
    boost::asio::awaitable<void> set_up();
    boost::asio::awaitable<void> serve();
    boost::asio::awaitable<void> reader(std::shared_ptr<WsConnection> conn, std::uint64_t generation);
    void dispatch(const json& message);

    boost::asio::awaitable<json> call(json message, std::chrono::milliseconds timeout);
    boost::asio::awaitable<json> next_auth_message(std::chrono::milliseconds timeout);
    boost::asio::awaitable<void> ping();
    // Both answer false when something is left to send again later.
    boost::asio::awaitable<bool> push_states();
    boost::asio::awaitable<bool> fire_events();
    boost::asio::awaitable<void> import_statistics();
    boost::asio::awaitable<void> find_resume_points(const std::vector<std::string>& ids);
    boost::asio::awaitable<void> sleep(std::chrono::milliseconds duration);
    boost::asio::awaitable<void> wait_after_auth_failure();

    void teardown();
    void statistics_off(const std::string& why);
    void not_admin(const std::string& what);
    void set_health(LinkHealth health, std::string detail);
    void settle_health();
    std::uint64_t delivery_requested();
    void mark_delivered(std::uint64_t ticket);

    boost::asio::io_context& io_;
    Options options_;
    SinkStore& store_;
    Logger& log_;
    NowFn now_;
    std::string token_;

    std::atomic<bool> stopping_{false};
    std::atomic<bool> work_pending_{false};
    boost::asio::steady_timer wake_timer_;
    boost::asio::steady_timer sleep_timer_;
    std::chrono::milliseconds backoff_;
    // Until when a lost link is retried every restart_probe_interval instead of backing off.
    std::chrono::steady_clock::time_point probe_until_;
    bool authenticated_ = false;  // the current (or last) connection got past auth

    // One connection's state; reset by teardown().
    std::shared_ptr<WsConnection> conn_;
    std::unique_ptr<RestClient> rest_;
    std::uint64_t generation_ = 0;
    bool reader_alive_ = false;
    std::string reader_error_;
    int next_id_ = 0;
    std::map<int, std::shared_ptr<Pending>> pending_;  // key 0: the auth phase (messages without id)
    int started_subscription_ = -1;
    bool ha_started_ = true;
    bool states_enabled_ = false;
    bool statistics_enabled_ = false;
    bool events_enabled_ = false;
    bool first_push_done_ = false;
    MetadataSchema schema_ = MetadataSchema::mean_type;
    bool statistic_types_ = true;  // statistics_during_period with `types` (2022.12+)
    std::string ha_version_;
    std::map<std::string, std::optional<ResumePoint>> resume_;  // per statistic: HA's last row
    std::set<std::string> refused_statistics_;                  // skipped until the next connection
    std::set<std::string> degraded_reasons_;

    std::mutex delivery_mutex_;  // guards the two tickets; the condition signals both them and health changes
    std::condition_variable delivery_changed_;
    std::uint64_t delivery_requested_ = 0;
    std::uint64_t delivered_ = 0;
};

}  // namespace kamgw::ha_websocket
