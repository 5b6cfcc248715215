#include <utility>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <csignal>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <sysexits.h>

#include <thread>

#include "core/app/daemon.hpp"
#include "core/app/fd_limit.hpp"
#include "core/base/logging.hpp"
#include "core/app/http_access.hpp"
#include "core/app/meter_history.hpp"
#include "core/app/metrics_server.hpp"
#include "core/app/plugin_loading.hpp"
#include "core/app/preflight.hpp"
#include "core/app/run_once.hpp"
#include "core/app/status_api.hpp"
#include "core/app/systemd_notify.hpp"
#include "core/base/version.hpp"
#include "core/config/config_loader.hpp"
#include "core/config/meter_url.hpp"

namespace kamgw::app {

using namespace std::chrono_literals;

struct Daemon::Runtime {
    boost::asio::io_context io;
    config::Config cfg;
    std::shared_ptr<spdlog::logger> log = base::make_logger("kamgw");
    SystemdNotifier notifier;
    // Outlives a bus replaced on reload: the sinks' cursors point into it.
    std::shared_ptr<bus::Journal> journal;
    std::unique_ptr<bus::ReadingBus> bus;
    // Sinks ask for the meter list and for on-demand reads from their own threads.
    mutable std::mutex runners_mutex;
    std::vector<std::unique_ptr<meter::MeterRunner>> runners;
    boost::asio::signal_set signals{io, SIGINT, SIGTERM, SIGHUP};
    boost::asio::steady_timer watchdog{io};
    boost::asio::steady_timer status_timer{io};
    boost::asio::steady_timer shutdown_timer{io};
    boost::asio::steady_timer journal_timer{io};
    std::chrono::steady_clock::time_point journal_due = std::chrono::steady_clock::time_point::max();
    std::unique_ptr<MetricsServer> metrics;
    LatestReadings latest;  // for /metrics, with [gateway] metrics_readings
    MeterHistory history;   // for the status page
    TimePoint started = Clock::now();
    bool stopping = false;
    std::chrono::steady_clock::time_point stop_requested{};

    std::vector<MeterSnapshot> meter_snapshots() const {
        std::lock_guard lock(runners_mutex);
        std::vector<MeterSnapshot> out;
        for (const auto& r : runners) out.push_back(snapshot_of(*r, r->snapshot()));
        return out;
    }

    // What /metrics, /health and the status page show of one meter.
    static MeterSnapshot snapshot_of(const meter::MeterRunner& r, const meter::RunnerSnapshot& s) {
        return {r.config().name,
                s.identity,
                s.health,
                s.counters,
                s.detail,
                s.missing_registers,
                std::chrono::duration<double>(s.poll_lag).count(),
                s.behind};
    }

    std::vector<StatusMeter> status_meters(TimePoint now) const {
        std::lock_guard lock(runners_mutex);
        std::vector<StatusMeter> out;
        for (const auto& r : runners) {
            const meter::RunnerSnapshot s = r->snapshot();
            StatusMeter m;
            m.meter = snapshot_of(*r, s);
            m.interval = std::chrono::duration_cast<std::chrono::seconds>(r->config().interval);
            m.last_poll = s.last_poll;
            m.next_poll = s.next_attempt ? s.next_attempt : s.next_poll;
            for (const auto& reg : r->config().registers) m.register_keys.emplace_back(reg.info.key);
            m.history = history.snapshot(r->config().name, now);
            out.push_back(std::move(m));
        }
        return out;
    }

    // The HTTP thread reads what it shows of the configuration from this copy, never from
    // `cfg`, which a reload replaces on the io thread.
    StatusGateway http_view;
    std::chrono::seconds sink_max_delay{300};
    // metrics_listen, metrics_token and status_read_now take effect at start: a reload keeps
    // the page's "read now" as the server was started with.
    void publish_http_view(bool at_start) {
        std::lock_guard lock(runners_mutex);
        http_view = {cfg.gateway.id,
                     base::version,
                     cfg.files.empty() ? std::string() : cfg.files.front().string(),
                     started,
                     at_start ? cfg.gateway.status_read_now : http_view.read_now,
                     cfg.gateway.read_now_min_interval,
                     std::chrono::duration_cast<std::chrono::seconds>(cfg.gateway.chart_resolution)};
        sink_max_delay = std::chrono::duration_cast<std::chrono::seconds>(cfg.gateway.health_sink_max_delay);
    }

    std::string status_json(std::optional<std::size_t> max_points) const {
        GatewaySnapshot g = gateway_snapshot();
        StatusGateway gw;
        {
            std::lock_guard lock(runners_mutex);
            gw = http_view;
        }
        return render_status(gw, status_meters(g.now), lane_stats(), g, max_points);
    }

    GatewaySnapshot gateway_snapshot() const {
        GatewaySnapshot g;
        g.journal = journal->stats();
        {
            std::lock_guard lock(runners_mutex);
            g.sink_max_delay = sink_max_delay;
        }
        g.readings = latest.snapshot();
        return g;
    }

    std::vector<bus::LaneStats> lane_stats() const {
        std::lock_guard lock(runners_mutex);
        return bus ? bus->stats() : std::vector<bus::LaneStats>{};
    }

    std::vector<MeterInfo> meters() const {
        std::lock_guard lock(runners_mutex);
        std::vector<MeterInfo> out;
        for (const auto& r : runners) {
            MeterInfo info;
            info.identity = r->identity();
            if (info.identity.name.empty()) info.identity.name = r->config().name;
            info.interval = std::chrono::duration_cast<std::chrono::seconds>(r->config().interval);
            for (const auto& reg : r->config().registers) info.register_keys.emplace_back(reg.info.key);
            out.push_back(std::move(info));
        }
        return out;
    }

    // The journal asks to be maintained (disk retries, interval syncs, cursors, age bound) at
    // times it names; one timer on the io thread serves it, so an idle daemon wakes only then.
    void arm_journal(std::chrono::steady_clock::time_point due) {
        if (due >= journal_due) return;
        journal_due = due;
        journal_timer.expires_at(due);
        journal_timer.async_wait([this](boost::system::error_code ec) {
            if (ec) return;
            journal_due = std::chrono::steady_clock::time_point::max();
            arm_journal(journal->maintain());
        });
    }
    void schedule_journal() { arm_journal(journal->next_due()); }

    ReadRequestResult request_read(const std::string& name) {
        std::lock_guard lock(runners_mutex);
        for (const auto& r : runners)
            if (r->config().name == name) return r->request_read();
        return ReadRequestResult::unknown_meter;
    }
};

namespace {

std::string summary(const config::Config& cfg, const std::vector<bus::LaneStats>& lanes) {
    std::uint64_t written = 0, dropped = 0, waiting = 0, dead = 0;
    for (const auto& l : lanes) {
        written += l.written_batches;
        dropped += l.dropped;
        waiting += l.queued_batches;
        dead += l.dead_lettered;
    }
    return std::to_string(cfg.meters.size()) + " meter(s), " + std::to_string(lanes.size()) + " sink(s); " +
           std::to_string(written) + " batch(es) delivered, " + std::to_string(waiting) + " waiting in the journal, " +
           std::to_string(dead) + " dead-lettered, " + std::to_string(dropped) + " dropped";
}

bus::JournalSettings journal_settings(const config::GatewayConfig& gw) {
    bus::JournalSettings s;
    if (!gw.state_dir.empty()) s.dir = gw.state_dir / "journal";
    s.max_bytes = gw.journal_max_bytes;
    s.max_age = std::chrono::duration_cast<std::chrono::seconds>(gw.journal_max_age);
    s.sync = gw.journal_sync_interval_policy ? bus::JournalSync::interval : bus::JournalSync::batch;
    s.sync_interval = gw.journal_sync_interval;
    s.memory_max_bytes = gw.journal_memory_max_bytes;
    return s;
}

// Two configs send readings to the same sinks when their [[sink]] tables are equal.
bool same_sinks(const std::vector<config::SinkConfig>& a, const std::vector<config::SinkConfig>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (a[i].type != b[i].type || a[i].name != b[i].name || a[i].options.values() != b[i].options.values() ||
            a[i].batch_size != b[i].batch_size || a[i].flush_interval != b[i].flush_interval ||
            a[i].queue_max_batches != b[i].queue_max_batches || a[i].queue_max_bytes != b[i].queue_max_bytes ||
            a[i].retry_initial != b[i].retry_initial || a[i].retry_max != b[i].retry_max ||
            a[i].retry_limit != b[i].retry_limit)
            return false;
    }
    return true;
}

void log_drain(spdlog::logger& log, const bus::DrainReport& report) {
    for (const auto& lane : report.lanes) {
        if (lane.left_batches == 0 && !lane.abandoned) continue;
        if (report.persistent)
            log.warn(
                "sink {}: {} batch(es) not delivered before the shutdown deadline wait in the journal for the next "
                "start{}",
                lane.name, lane.left_batches, lane.abandoned ? "; the sink did not return from a call in time" : "");
        else
            log.error(
                "sink {}: {} batch(es) not delivered before the shutdown deadline are lost (no usable state "
                "folder){}",
                lane.name, lane.left_batches, lane.abandoned ? "; the sink did not return from a call in time" : "");
    }
}

}  // namespace

Daemon::Daemon(DaemonOptions options) : options_(std::move(options)) {}
Daemon::~Daemon() = default;

bool Daemon::build_runtime(Runtime& rt, const config::Config& cfg) {
    bus::HostServices services;
    services.gateway_id = cfg.gateway.id;
    services.gateway_version = base::version;
    services.state_root = cfg.gateway.state_dir;
    services.meters = [&rt] { return rt.meters(); };
    services.request_read = [&rt](const std::string& name) { return rt.request_read(name); };

    auto bus = std::make_unique<bus::ReadingBus>(std::move(services), rt.journal);
    for (const auto& sink_cfg : cfg.sinks) {
        const PluginDescriptor* descriptor = registry_->sink(sink_cfg.type);
        try {
            bus->add_lane(registry_->make_sink(sink_cfg.type), sink_cfg,
                          descriptor ? descriptor->lane : LaneDefaults{});
            rt.log->info("sink {} ({}) ready", sink_cfg.name, sink_cfg.type);
        } catch (const std::exception& e) {
            rt.log->error("sink {} ({}) disabled: {}", sink_cfg.name, sink_cfg.type, e.what());
        }
    }
    bus->start();
    // Sinks that left the configuration no longer hold readings in the journal.
    rt.journal->retain_consumers(bus->lane_names());
    std::lock_guard lock(rt.runners_mutex);
    rt.bus = std::move(bus);
    return true;
}

// Meter runners publish into whatever bus is current when they are created.
static std::vector<std::unique_ptr<meter::MeterRunner>> make_runners(
    boost::asio::io_context& io, const config::Config& cfg, host::PluginRegistry& registry, bus::ReadingBus& bus,
    const std::function<void()>& after_publish, LatestReadings* latest, MeterHistory& history) {
    std::vector<std::unique_ptr<meter::MeterRunner>> runners;
    for (const auto& meter_cfg : cfg.meters) {
        meter::TransportFactory factory = [&registry, scheme = meter_cfg.endpoint.scheme](const TransportContext& ctx) {
            return registry.make_transport(scheme, ctx);
        };
        meter::RunnerCallbacks callbacks;
        const auto interval = std::chrono::duration_cast<std::chrono::seconds>(meter_cfg.interval);
        callbacks.on_batch = [&bus, after_publish, latest, interval, &history,
                              name = meter_cfg.name](ReadingBatch batch) {
            if (latest) latest->record(batch, interval);
            history.record(name, batch);
            bus.publish(std::move(batch));
            after_publish();
        };
        callbacks.on_status = [&bus, &history, name = meter_cfg.name](const MeterStatus& status) {
            history.record(name, status);
            bus.publish_status(status);
        };
        runners.push_back(std::make_unique<meter::MeterRunner>(
            io.get_executor(), meter_cfg, std::move(factory), std::move(callbacks), cfg.gateway.read_now_min_interval));
    }
    return runners;
}

void Daemon::reload(Runtime& rt) {
    rt.notifier.reloading();
    rt.log->info("SIGHUP: reopening sink files and re-reading {}", options_.config_file.string());
    rt.bus->reopen();
    config::Config next;
    try {
        next = load_and_preflight(options_.config_file, *registry_, ServiceIdentity::of_this_process());
    } catch (const std::exception& e) {
        rt.log->error("configuration not reloaded, the running one stays in force:\n{}", e.what());
        rt.notifier.ready(summary(rt.cfg, rt.bus->stats()));
        return;
    }
    if (next.gateway.plugin_dirs != rt.cfg.gateway.plugin_dirs)
        rt.log->warn("plugin_dirs changed; plugins are loaded at start only, restart kamgw to use the new folders");
    if (journal_settings(next.gateway).dir != journal_settings(rt.cfg.gateway).dir ||
        next.gateway.journal_max_bytes != rt.cfg.gateway.journal_max_bytes ||
        next.gateway.journal_max_age != rt.cfg.gateway.journal_max_age ||
        next.gateway.journal_sync_interval_policy != rt.cfg.gateway.journal_sync_interval_policy ||
        next.gateway.journal_sync_interval != rt.cfg.gateway.journal_sync_interval ||
        next.gateway.journal_memory_max_bytes != rt.cfg.gateway.journal_memory_max_bytes)
        rt.log->warn("state_dir or a journal_* key changed; the journal keeps its settings until kamgw restarts");
    base::set_log_level(options_.log_level.empty() ? next.gateway.log_level : options_.log_level);

    // Stopped runners may finish a poll in flight into the current bus; they are destroyed
    // once the new ones run (a runner is safe to destroy mid-poll: it then calls back no more).
    std::vector<std::unique_ptr<meter::MeterRunner>> old_runners;
    {
        std::lock_guard lock(rt.runners_mutex);
        for (auto& r : rt.runners) r->stop();
        old_runners = std::move(rt.runners);
        rt.runners.clear();
    }
    std::unique_ptr<bus::ReadingBus> old_bus;
    if (!same_sinks(next.sinks, rt.cfg.sinks)) {
        {
            std::lock_guard lock(rt.runners_mutex);
            old_bus = std::move(rt.bus);
        }
        build_runtime(rt, next);
    }
    rt.history.configure(next.meters, std::chrono::duration_cast<std::chrono::seconds>(next.gateway.chart_resolution));
    auto runners = make_runners(
        rt.io, next, *registry_, *rt.bus, [&rt] { rt.schedule_journal(); },
        next.gateway.metrics_readings ? &rt.latest : nullptr, rt.history);
    {
        std::lock_guard lock(rt.runners_mutex);
        rt.runners = std::move(runners);
    }
    old_runners.clear();
    for (auto& r : rt.runners) r->start();
    rt.cfg = std::move(next);
    rt.publish_http_view(false);
    std::vector<std::string> exposed;
    if (rt.cfg.gateway.metrics_readings)
        for (const auto& m : rt.cfg.meters) exposed.push_back(m.name);
    rt.latest.keep_only(exposed);
    if (old_bus) {
        // The old sinks deliver what they hold before they go; drained off the io thread so the
        // meters keep their schedule meanwhile.
        auto timeout = rt.cfg.gateway.shutdown_timeout;
        std::shared_ptr<bus::ReadingBus> draining(std::move(old_bus));
        auto log = rt.log;
        std::thread([draining, timeout, log] { log_drain(*log, draining->stop(timeout)); }).detach();
    }
    rt.log->info("configuration reloaded: {}", summary(rt.cfg, rt.bus->stats()));
    rt.notifier.ready(summary(rt.cfg, rt.bus->stats()));
}

int Daemon::run() {
    // Readings, the journal and sink state are nobody else's business: files 0640, folders 0750,
    // whether or not systemd's UMask= applies (a daemon started by hand or by another init).
    ::umask(027);
    registry_ = load_plugins(options_.config_file, options_.extra_plugin_dirs);
    auto rt = std::make_unique<Runtime>();
    for (const auto& problem : registry_->problems()) rt->log->warn("{}", problem.message);
    try {
        rt->cfg = load_and_preflight(options_.config_file, *registry_, ServiceIdentity::of_this_process());
    } catch (const std::exception& e) {
        rt->log->error("configuration error:\n{}", e.what());
        return EX_CONFIG;
    }
    base::set_log_level(options_.log_level.empty() ? rt->cfg.gateway.log_level : options_.log_level);
    rt->log->info("kamgw {} starting: gateway '{}', {} meter(s), {} sink(s), configuration {}", base::version,
                  rt->cfg.gateway.id, rt->cfg.meters.size(), rt->cfg.sinks.size(), options_.config_file.string());

    if (rt->cfg.meters.empty())
        rt->log->warn("no [[meter]] in {}: nothing will be read until one is added (then: systemctl reload kamgw)",
                      options_.config_file.string());
    if (rt->cfg.sinks.empty()) rt->log->warn("no [[sink]] configured: readings will be dropped");
    raise_fd_limit_for(rt->cfg, *rt->log);
    rt->journal = std::make_shared<bus::Journal>(journal_settings(rt->cfg.gateway), base::make_logger("journal"));
    rt->journal->open();
    build_runtime(*rt, rt->cfg);
    if (options_.once) {
        bus::DrainReport report;
        const int code = run_once(*rt, report);
        return release(std::move(rt), report, code);
    }
    rt->history.configure(rt->cfg.meters,
                          std::chrono::duration_cast<std::chrono::seconds>(rt->cfg.gateway.chart_resolution));
    rt->runners = make_runners(
        rt->io, rt->cfg, *registry_, *rt->bus, [&] { rt->schedule_journal(); },
        rt->cfg.gateway.metrics_readings ? &rt->latest : nullptr, rt->history);
    rt->schedule_journal();
    for (auto& r : rt->runners) r->start();
    rt->publish_http_view(true);
    if (!rt->cfg.gateway.metrics_listen.empty()) start_http(*rt);
    rt->notifier.ready(summary(rt->cfg, rt->bus->stats()));

    std::function<void()> wait_signal = [&] {
        rt->signals.async_wait([&](boost::system::error_code ec, int signal) {
            if (ec) return;
            if (signal == SIGHUP) {
                reload(*rt);
                wait_signal();
                return;
            }
            rt->log->info("{}: stopping meters, then draining the sinks (at most {} ms)",
                          signal == SIGTERM ? "SIGTERM" : "SIGINT", rt->cfg.gateway.shutdown_timeout.count());
            rt->notifier.stopping();
            rt->stopping = true;
            rt->stop_requested = std::chrono::steady_clock::now();
            {
                std::lock_guard lock(rt->runners_mutex);
                for (auto& r : rt->runners) r->stop();
            }
            // A poll in flight gets a moment to reach the bus; the runners call back no more after that.
            rt->shutdown_timer.expires_after(300ms);
            rt->shutdown_timer.async_wait([&](boost::system::error_code) { rt->io.stop(); });
        });
    };
    wait_signal();

    if (auto period = rt->notifier.watchdog_period()) {
        std::function<void()> ping = [&, period = *period] {
            rt->notifier.watchdog_ping();
            rt->watchdog.expires_after(period);
            rt->watchdog.async_wait([&](boost::system::error_code ec) {
                if (!ec) ping();
            });
        };
        ping();
    }
    std::function<void()> report_status = [&] {
        rt->status_timer.expires_after(60s);
        rt->status_timer.async_wait([&](boost::system::error_code ec) {
            if (ec) return;
            rt->notifier.status(summary(rt->cfg, rt->bus->stats()));
            report_status();
        });
    };
    report_status();

    rt->io.run();
    if (rt->metrics) rt->metrics->stop();

    // shutdown_timeout counts from the signal, including the moment given to polls in flight.
    const auto spent =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - rt->stop_requested);
    const auto report = drain(*rt, std::max(rt->cfg.gateway.shutdown_timeout - spent, 0ms));
    return release(std::move(rt), report, EX_OK);
}

void Daemon::start_http(Runtime& rt) {
    const config::GatewayConfig& gw = rt.cfg.gateway;
    MetricsSources sources{[&rt] { return rt.meter_snapshots(); },
                           [&rt] { return rt.lane_stats(); },
                           [&rt] { return rt.gateway_snapshot(); },
                           [&rt](std::optional<std::size_t> max_points) { return rt.status_json(max_points); },
                           {}};
    if (gw.status_read_now) sources.read_now = [&rt](const std::string& name) { return rt.request_read(name); };
    rt.metrics = std::make_unique<MetricsServer>(std::move(sources));
    try {
        rt.metrics->start(gw.metrics_listen, gw.metrics_token);
    } catch (const std::exception& e) {
        rt.log->error("{}", e.what());
        rt.metrics.reset();
        return;
    }
    const std::string base = "http://" + gw.metrics_listen.substr(0, gw.metrics_listen.rfind(':')) + ":" +
                             std::to_string(rt.metrics->port());
    rt.log->info("status page on {}/, metrics on /metrics, health on /health{}", base,
                 gw.metrics_token.empty() ? "" : " (metrics_token required)");
    if (!listen_is_loopback(gw.metrics_listen) && gw.metrics_token.empty())
        rt.log->warn(
            "metrics_listen {} can be reached from other machines and has no metrics_token: anyone there "
            "sees every meter's readings and health; set metrics_token (or metrics_token_file)",
            gw.metrics_listen);
}

bus::DrainReport Daemon::drain(Runtime& rt, std::chrono::milliseconds drain_timeout) {
    const auto report = rt.bus->stop(drain_timeout);
    rt.journal->close();
    log_drain(*rt.log, report);
    rt.log->info("stopped: {}", summary(rt.cfg, rt.bus->stats()));
    return report;
}

int Daemon::release(std::unique_ptr<Runtime> rt, const bus::DrainReport& report, int code) {
    if (report.abandoned()) {
        // A sink thread is still inside plugin code: unloading the plugins (or running static
        // destructors) under it would crash. Everything it did not deliver is in the journal.
        spdlog::shutdown();
        std::_Exit(code);
    }
    {
        std::lock_guard lock(rt->runners_mutex);
        rt->runners.clear();
    }
    rt.reset();  // sinks and transports go before the plugin libraries
    registry_.reset();
    return code;
}

int Daemon::run_once(Runtime& rt, bus::DrainReport& report) {
    std::vector<OncePoll> polls;
    for (const auto& m : rt.cfg.meters)
        polls.push_back(
            {m.name, false, 0, MeterHealth::starting, "meter " + m.name + ": interrupted before it was read"});
    poll_every_meter_once(rt.io, rt.cfg.meters, *registry_,
                          {.publish =
                               [&rt](ReadingBatch batch) {
                                   rt.bus->publish(std::move(batch));
                                   rt.schedule_journal();
                               },
                           .publish_status = [&rt](const MeterStatus& status) { rt.bus->publish_status(status); },
                           .done =
                               [&rt, &polls](std::vector<OncePoll> done) {
                                   polls = std::move(done);
                                   rt.io.stop();
                               }});
    rt.signals.async_wait([&rt](boost::system::error_code ec, int) {
        if (!ec) rt.io.stop();
    });
    rt.io.run();
    // The session warns about a meter that does not answer, but leaves a lost link to the
    // runner to report, and here there is no runner.
    std::size_t read = 0;
    for (const auto& p : polls) {
        if (p.identified) ++read;
        if (!p.identified && p.health != MeterHealth::no_answer && p.health != MeterHealth::unsupported)
            rt.log->error("{}", p.detail);
    }
    rt.log->info("once: {} of {} meter(s) read; draining the sinks (at most {} ms)", read, polls.size(),
                 rt.cfg.gateway.shutdown_timeout.count());
    report = drain(rt, rt.cfg.gateway.shutdown_timeout);
    // Sinks that could not be made, dead letters and drops were logged where they happened.
    const auto stats = rt.bus->stats();
    return once_exit_code(polls, once_deliveries(report, stats), rt.cfg.sinks.size());
}

}  // namespace kamgw::app
