#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <map>
#include <memory>

#include "core/app/exit_codes.hpp"
#include "core/app/meter_target.hpp"
#include "core/app/run_once.hpp"
#include "core/meter/meter_session.hpp"

namespace kamgw::app {
namespace {

struct OnceRun {
    OnceCallbacks callbacks;
    std::vector<OncePoll> polls;
    std::size_t groups_left = 0;
};

boost::asio::awaitable<void> poll_group(std::shared_ptr<OnceRun> run, std::vector<std::size_t> members,
                                        std::vector<config::MeterConfig> meters, const host::PluginRegistry& registry) {
    auto executor = co_await boost::asio::this_coro::executor;
    for (std::size_t i = 0; i < members.size(); ++i) {
        const config::MeterConfig& meter = meters[i];
        meter::TransportFactory factory = [&registry, scheme = meter.endpoint.scheme](const TransportContext& ctx) {
            return registry.make_transport(scheme, ctx);
        };
        MeterStatus status;
        ReadingBatch batch =
            co_await meter::read_once(executor, meter, factory, meter::configured_registers(meter), &status);
        OncePoll& poll = run->polls[members[i]];
        poll.health = status.health;
        poll.detail = status.detail;
        // As in the daemon: a meter that was not identified has no batch to give.
        poll.identified = !batch.meter.serial.empty();
        poll.missing = batch.missing.size();
        run->callbacks.publish_status(status);
        if (poll.identified) run->callbacks.publish(std::move(batch));
    }
}

}  // namespace

void poll_every_meter_once(boost::asio::io_context& io, const std::vector<config::MeterConfig>& meters,
                           const host::PluginRegistry& registry, OnceCallbacks callbacks) {
    auto run = std::make_shared<OnceRun>();
    run->callbacks = std::move(callbacks);
    std::map<std::string, std::vector<std::size_t>> groups;
    for (std::size_t i = 0; i < meters.size(); ++i) {
        run->polls.push_back({meters[i].name, false, 0, MeterHealth::starting, "not read"});
        groups[meters[i].line_group].push_back(i);
    }
    if (groups.empty()) {
        boost::asio::post(io, [run] { run->callbacks.done(run->polls); });
        return;
    }
    run->groups_left = groups.size();
    for (auto& [name, members] : groups) {
        std::vector<config::MeterConfig> group;
        for (std::size_t i : members) group.push_back(meters[i]);
        boost::asio::co_spawn(io, poll_group(run, members, std::move(group), registry), [run](std::exception_ptr) {
            if (--run->groups_left == 0) run->callbacks.done(run->polls);
        });
    }
}

std::vector<OnceDelivery> once_deliveries(const bus::DrainReport& report, std::span<const bus::LaneStats> stats) {
    std::vector<OnceDelivery> out;
    for (const auto& lane : report.lanes) {
        OnceDelivery d{lane.name, lane.left_batches, lane.abandoned};
        for (const auto& s : stats) {
            if (s.name != lane.name) continue;
            d.dead_lettered = s.dead_lettered;
            d.dropped = s.dropped;
        }
        out.push_back(d);
    }
    return out;
}

int once_exit_code(std::span<const OncePoll> polls, std::span<const OnceDelivery> deliveries,
                   std::size_t sinks_configured) {
    if (deliveries.size() < sinks_configured) return exit_code::not_delivered;
    for (const auto& d : deliveries)
        if (!d.complete()) return exit_code::not_delivered;
    for (const auto& p : polls)
        if (!p.identified) return exit_code::meter_unavailable;
    for (const auto& p : polls)
        if (p.missing > 0) return exit_code::partial;
    return exit_code::ok;
}

}  // namespace kamgw::app
