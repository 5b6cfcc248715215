#include "plugins/sink-ha-websocket/ha_websocket_sink.hpp"

#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <deque>
#include <future>
#include <set>
#include <thread>

#include "plugins/sink-ha-websocket/ha_session.hpp"
#include "plugins/sink-ha-websocket/options.hpp"
#include "plugins/sink-ha-websocket/sink_store.hpp"

namespace kamgw::ha_websocket {
namespace {

// How long write() waits for Home Assistant to accept what it recorded before it answers
// retry. Short, because the lane thread waits with it; the lane retries with backoff.
constexpr std::chrono::seconds delivery_wait{5};

// Batches the core hands over again after a retry are recorded once: events would repeat.
constexpr std::size_t remembered_batches = 4096;

}  // namespace

struct HaWebsocketSink::Impl {
    std::function<TimePoint()> now;
    SinkHost* host = nullptr;
    Options options;
    std::unique_ptr<SinkStore> store;
    boost::asio::io_context io;
    std::unique_ptr<HaSession> session;
    std::thread thread;
    std::promise<void> finished;
    LinkHealth logged_health = LinkHealth::starting;
    bool warned_no_serial = false;
    std::set<std::string> recorded;          // batch ids already in the store (lane thread)
    std::deque<std::string> recorded_order;  // oldest first, to forget them again

    void remember(std::string id) {
        if (!recorded.insert(id).second) return;
        recorded_order.push_back(std::move(id));
        if (recorded_order.size() > remembered_batches) {
            recorded.erase(recorded_order.front());
            recorded_order.pop_front();
        }
    }
};

HaWebsocketSink::HaWebsocketSink(std::function<TimePoint()> now) : impl_(std::make_unique<Impl>()) {
    impl_->now = now ? std::move(now) : [] { return Clock::now(); };
}

HaWebsocketSink::~HaWebsocketSink() { stop(); }

void HaWebsocketSink::start(SinkHost& host) {
    Impl& s = *impl_;
    s.host = &host;
    s.options = options_from_config(host.config());
    s.store = std::make_unique<SinkStore>(host.state_dir(), s.options);
    s.store->load();
    s.session = std::make_unique<HaSession>(s.io, s.options, *s.store, host.log(), s.now);
    boost::asio::co_spawn(s.io, s.session->run(), [&s](std::exception_ptr e) {
        if (e) {
            try {
                std::rethrow_exception(e);
            } catch (const std::exception& ex) {
                s.host->log().error(std::string("the Home Assistant session ended: ") + ex.what());
            }
        }
        s.finished.set_value();
    });
    s.thread = std::thread([&s] { s.io.run(); });
    host.log().info("sending readings to Home Assistant at " + s.options.url +
                    (s.options.push_states ? " (live states" : " (no live states") +
                    (s.options.import_statistics ? ", long-term statistics" : "") +
                    (s.options.fire_events ? ", kamgw_reading events)" : ")"));
}

WriteResult HaWebsocketSink::write(std::span<const ReadingBatch> batches) {
    Impl& s = *impl_;
    try {
        for (const ReadingBatch& b : batches) {
            std::string id = batch_id(b);
            if (s.recorded.count(id)) continue;
            s.store->record(b);
            s.remember(std::move(id));
        }
    } catch (const std::exception& e) {
        return WriteResult::retry(std::string("cannot write the hourly journal: ") + e.what());
    }
    if (!s.warned_no_serial && s.store->batches_without_serial() > 0) {
        s.warned_no_serial = true;
        s.host->log().warn("readings of a meter without a serial number are not sent (its entity ids need one)");
    }
    const std::uint64_t ticket = s.session->request_delivery();
    s.session->wake();
    if (s.session->wait_delivered(ticket, delivery_wait)) return WriteResult::ok();
    // Recorded, not delivered: the core keeps the batches and tries again; the retry finds
    // them recorded and only waits for Home Assistant.
    return WriteResult::retry("Home Assistant has not accepted the readings yet: " + s.store->status().detail);
}

void HaWebsocketSink::idle() {
    // The link's health goes to the log whenever it changes (the session logs the details).
    Impl& s = *impl_;
    if (!s.store) return;
    const SinkStatus st = s.store->status();
    if (st.health != s.logged_health) {
        s.logged_health = st.health;
        s.host->log().debug("health " + std::string(link_health_name(st.health)) + ": " + st.detail);
    }
}

void HaWebsocketSink::reopen() {
    if (impl_->session) impl_->session->reconnect();
}

void HaWebsocketSink::stop() {
    Impl& s = *impl_;
    if (!s.thread.joinable()) return;
    s.session->stop();
    if (s.finished.get_future().wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
        s.host->log().warn("the Home Assistant session did not end within 10 s; stopping it hard");
    }
    // The reader coroutine ends once its socket is closed; anything left is abandoned.
    s.io.stop();
    s.thread.join();
}

SinkStatus HaWebsocketSink::status() const {
    if (!impl_->store) return {};
    return impl_->store->status();
}

}  // namespace kamgw::ha_websocket
