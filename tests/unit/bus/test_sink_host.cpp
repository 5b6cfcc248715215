// The SinkHost a lane hands its sink: identity, configuration, state folder, meters, reads.
#include <gtest/gtest.h>

#include <chrono>

#include "core/bus/reading_bus.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/unit/bus/recording_sink.hpp"

namespace kamgw::bus {
namespace {

using namespace std::chrono_literals;
using test::recording_sink;
using test::sink_config;
using test::SinkRecord;

struct Seen {
    std::string instance, gateway, version, option;
    std::filesystem::path state_dir;
    bool state_dir_exists = false;
    std::vector<MeterInfo> meters;
    ReadRequestResult known = ReadRequestResult::unknown_meter, unknown = ReadRequestResult::accepted;
};

TEST(BusSinkHost, TheSinkSeesTheApplicationThroughItsHost) {
    kamgw::test::TempDir dir;
    std::vector<std::string> read_requests;
    std::mutex m;
    HostServices services;
    services.gateway_id = "boiler-room";
    services.gateway_version = "0.1.0";
    services.state_root = dir.path();
    services.meters = [] {
        MeterInfo info;
        info.identity.name = "house";
        info.register_keys = {"heat_energy", "volume"};
        return std::vector<MeterInfo>{info};
    };
    services.request_read = [&](const std::string& meter) {
        std::lock_guard l(m);
        read_requests.push_back(meter);
        return meter == "house" ? ReadRequestResult::accepted : ReadRequestResult::unknown_meter;
    };

    auto rec = std::make_shared<SinkRecord>();
    Seen seen;
    rec->on_start = [&seen](SinkHost& host) {
        seen.instance = host.instance_name();
        seen.gateway = host.gateway_id();
        seen.version = host.gateway_version();
        seen.option = host.config().get_string("path");
        seen.state_dir = host.state_dir();
        seen.state_dir_exists = std::filesystem::is_directory(seen.state_dir);
        seen.meters = host.meters();
        seen.known = host.request_read("house");
        seen.unknown = host.request_read("attic");
        host.log().info("started");
    };
    auto cfg = sink_config("csv-main", 1, 0ms);
    cfg.options.set("path", std::string("/tmp/readings.csv"));
    ReadingBus bus(std::move(services));
    bus.add_lane(recording_sink(rec), cfg, {});
    bus.start();
    ASSERT_TRUE(rec->wait([](const SinkRecord& r) { return r.starts == 1; }));
    bus.stop(5s);

    EXPECT_EQ(seen.instance, "csv-main");
    EXPECT_EQ(seen.gateway, "boiler-room");
    EXPECT_EQ(seen.version, "0.1.0");
    EXPECT_EQ(seen.option, "/tmp/readings.csv");
    EXPECT_EQ(seen.state_dir, dir.path() / "sinks" / "csv-main");
    EXPECT_TRUE(seen.state_dir_exists);
    ASSERT_EQ(seen.meters.size(), 1u);
    EXPECT_EQ(seen.meters[0].identity.name, "house");
    EXPECT_EQ(seen.known, ReadRequestResult::accepted);
    EXPECT_EQ(seen.unknown, ReadRequestResult::unknown_meter);
    EXPECT_EQ(read_requests, (std::vector<std::string>{"house", "attic"}));
}

TEST(BusSinkHost, WithoutServicesThereAreNoMetersAndNoReads) {
    auto rec = std::make_shared<SinkRecord>();
    std::size_t meters = 99;
    ReadRequestResult read = ReadRequestResult::accepted;
    rec->on_start = [&](SinkHost& host) {
        meters = host.meters().size();
        read = host.request_read("house");
    };
    ReadingBus bus(HostServices{});
    bus.add_lane(recording_sink(rec), sink_config("rec", 1, 0ms), {});
    bus.start();
    ASSERT_TRUE(rec->wait([](const SinkRecord& r) { return r.starts == 1; }));
    bus.stop(5s);
    EXPECT_EQ(meters, 0u);
    EXPECT_EQ(read, ReadRequestResult::unknown_meter);
}

}  // namespace
}  // namespace kamgw::bus
