// The exit code of `kamgw run --once`, from what the meters and the sinks did.
#include <gtest/gtest.h>

#include "core/app/exit_codes.hpp"
#include "core/app/run_once.hpp"

namespace kamgw::app {
namespace {

OncePoll read_fully(const std::string& name) { return {name, true, 0, MeterHealth::ok, "meter " + name + ": ok"}; }
OnceDelivery took_all(const std::string& sink) { return {sink}; }

TEST(RunOnceVerdict, EverythingReadAndDeliveredIsOk) {
    const std::vector<OncePoll> polls{read_fully("a"), read_fully("b")};
    const std::vector<OnceDelivery> sinks{took_all("csv"), took_all("mqtt-ha")};
    EXPECT_EQ(once_exit_code(polls, sinks, 2), exit_code::ok);
    EXPECT_EQ(once_exit_code({}, {}, 0), exit_code::ok);
}

TEST(RunOnceVerdict, MissingRegistersArePartial) {
    std::vector<OncePoll> polls{read_fully("a"), read_fully("b")};
    polls[1].missing = 1;
    EXPECT_EQ(once_exit_code(polls, std::vector<OnceDelivery>{took_all("csv")}, 1), exit_code::partial);
}

TEST(RunOnceVerdict, AMeterNotReadIsUnavailableEvenWhenAnotherLacksRegisters) {
    std::vector<OncePoll> polls{read_fully("a"), read_fully("b")};
    polls[0].missing = 2;
    polls[1].identified = false;
    EXPECT_EQ(once_exit_code(polls, std::vector<OnceDelivery>{took_all("csv")}, 1), exit_code::meter_unavailable);
}

TEST(RunOnceVerdict, EveryWayASinkCanFallShortIsNotDelivered) {
    std::vector<OncePoll> polls{read_fully("a")};
    polls[0].identified = false;  // delivery outranks the meter
    OnceDelivery left = took_all("csv"), abandoned = took_all("csv"), dead = took_all("csv"), dropped = took_all("csv");
    left.left_batches = 1;
    abandoned.abandoned = true;
    dead.dead_lettered = 1;
    dropped.dropped = 3;
    for (const auto& d : {left, abandoned, dead, dropped})
        EXPECT_EQ(once_exit_code(polls, std::vector<OnceDelivery>{took_all("ok"), d}, 2), exit_code::not_delivered);
    // A configured sink that could not be created has no lane at all.
    EXPECT_EQ(once_exit_code(std::vector<OncePoll>{read_fully("a")}, std::vector<OnceDelivery>{took_all("csv")}, 2),
              exit_code::not_delivered);
}

TEST(RunOnceVerdict, DeliveriesPairTheDrainWithTheLaneCounters) {
    bus::DrainReport report;
    report.lanes = {{"csv", 0, false}, {"mqtt-ha", 2, false}};
    std::vector<bus::LaneStats> stats(2);
    stats[0].name = "mqtt-ha";
    stats[0].dead_lettered = 1;
    stats[1].name = "csv";
    stats[1].dropped = 4;
    const auto d = once_deliveries(report, stats);
    ASSERT_EQ(d.size(), 2u);
    EXPECT_EQ(d[0].sink, "csv");
    EXPECT_EQ(d[0].dropped, 4u);
    EXPECT_EQ(d[0].dead_lettered, 0u);
    EXPECT_EQ(d[1].left_batches, 2u);
    EXPECT_EQ(d[1].dead_lettered, 1u);
    EXPECT_FALSE(d[0].complete());
    EXPECT_FALSE(d[1].complete());
}

}  // namespace
}  // namespace kamgw::app
