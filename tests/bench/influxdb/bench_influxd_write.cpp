// Writes into a real influxd 1.6 started here (loopback, random ports) and prints:
//   - points per second for back-to-back requests of 5000 points (plain and gzip);
//   - how long a backlog of one day of 100 meters (100 × 24 polls × 7 registers = 16800
//     points) takes to drain in requests of 5000 points, as a lane does after an outage.
#include <chrono>
#include <cstdio>

#include "plugins/sink-influxdb/influxdb_sink.hpp"
#include "plugins/sink-influxdb/tests/test_batches.hpp"
#include "tests/integration/influxdb/influxd_server.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

using kamgw::ConfigTable;
using kamgw::ReadingBatch;
using kamgw::Sink;
using kamgw::WriteResult;
using kamgw::influxdb::InfluxdbSink;
namespace test = kamgw::influxdb::test;
using Seconds = std::chrono::duration<double>;

std::vector<ReadingBatch> day_of_100_meters(std::int64_t day_start) {
    std::vector<ReadingBatch> out;
    for (int hour = 0; hour < 24; ++hour)
        for (int meter = 0; meter < 100; ++meter)
            out.push_back(test::mc403_poll("meter " + std::to_string(meter), std::to_string(10000000 + meter),
                                           test::at_seconds(day_start + hour * 3600 + meter), hour));
    return out;
}

struct Run {
    double seconds = 0;
    std::size_t requests = 0;
};

// Hands `polls` to the sink `per_write` polls at a time, like the lane does.
Run drain(Sink& sink, const std::vector<ReadingBatch>& polls, std::size_t per_write) {
    const auto t0 = std::chrono::steady_clock::now();
    Run run;
    for (std::size_t i = 0; i < polls.size(); i += per_write) {
        const std::size_t n = std::min(per_write, polls.size() - i);
        const WriteResult r = sink.write(std::span(polls).subspan(i, n));
        if (r.code != WriteResult::Code::ok) {
            std::fprintf(stderr, "write failed: %s\n", r.message.c_str());
            std::exit(1);
        }
        ++run.requests;
    }
    run.seconds = Seconds(std::chrono::steady_clock::now() - t0).count();
    return run;
}

ConfigTable config(const test::InfluxdServer& server, const std::string& db, bool gzip) {
    ConfigTable t;
    t.set("url", server.url());
    t.set("database", db);
    t.set("gzip", gzip);
    t.set("timeout", std::chrono::milliseconds(60000));
    return t;
}

}  // namespace

int main() {
    kamgw::test::TempDir dir;  // the support library's, not the sink tests'
    test::InfluxdServer server(dir.path());
    // Polls of 7 points: 714 polls make 4998 points, the request size InfluxDB recommends.
    constexpr std::size_t polls_per_request = 714;

    int day = 0;
    for (bool gzip : {false, true}) {
        const std::string db = gzip ? "bench_gzip" : "bench_plain";
        server.execute("CREATE DATABASE " + db);
        test::TestHost host(config(server, db, gzip));
        InfluxdbSink sink;
        sink.start(host);

        // Warm-up: the first writes create the shards and series.
        drain(sink, day_of_100_meters(1700000000 - 86400), polls_per_request);

        std::vector<ReadingBatch> steady;
        for (int d = 0; d < 3; ++d) {
            auto more = day_of_100_meters(1700000000 + (day++) * 86400);
            steady.insert(steady.end(), more.begin(), more.end());
        }
        const Run s = drain(sink, steady, polls_per_request);
        const double points = static_cast<double>(steady.size() * 7);
        std::printf("influxd 1.6 %-5s steady writes: %.0f points in %zu requests, %.2f s, %.0f points/s\n",
                    gzip ? "gzip" : "plain", points, s.requests, s.seconds, points / s.seconds);

        const auto backlog = day_of_100_meters(1700000000 + (day++) * 86400);
        const Run b = drain(sink, backlog, polls_per_request);
        std::printf(
            "influxd 1.6 %-5s backlog of one day of 100 meters (%zu points): drained in %.3f s, %zu "
            "requests, %.0f points/s\n",
            gzip ? "gzip" : "plain", backlog.size() * 7, b.seconds, b.requests,
            static_cast<double>(backlog.size() * 7) / b.seconds);
        sink.stop();
        std::printf("  points stored in %s: %lld\n", db.c_str(), static_cast<long long>(server.count(db, "kamstrup")));
    }
    return 0;
}
