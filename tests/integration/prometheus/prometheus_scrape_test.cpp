// `kamgw run` with [gateway] metrics_readings scraped by a real Prometheus 2 (Debian's package):
// PromQL returns the meter's readings in base units, equal to what the daemon's CSV recorded.
#include <gtest/gtest.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "tests/integration/daemon-sinks/sink_daemon.hpp"
#include "tests/support/network.hpp"

namespace kamgw::test::daemon_sinks {
namespace {

class Prometheus {
public:
    Prometheus(const TempDir& dir, std::uint16_t target_port) : port_(free_port()) {
        const auto config = dir.write("prometheus.yml",
                                      "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
                                      "scrape_configs:\n  - job_name: kamgw\n    static_configs:\n"
                                      "      - targets: ['127.0.0.1:" +
                                          std::to_string(target_port) + "']\n");
        process_ = ChildProcess({"/usr/bin/prometheus", "--config.file=" + config.string(),
                                 "--storage.tsdb.path=" + (dir.path() / "prometheus-data").string(),
                                 "--web.listen-address=127.0.0.1:" + std::to_string(port_)},
                                dir.path() / "prometheus.log");
    }
    // The instant query's result vector, or an empty array while there is none.
    nlohmann::json query(const std::string& promql) const {
        const auto r = run_command({"curl", "-sf", "--get", "--data-urlencode", "query=" + promql,
                                    "http://127.0.0.1:" + std::to_string(port_) + "/api/v1/query"},
                                   std::chrono::seconds(10));
        if (r.exit_code != 0) return nlohmann::json::array();
        const auto j = nlohmann::json::parse(r.output, nullptr, false);
        if (j.is_discarded() || j.value("status", "") != "success") return nlohmann::json::array();
        return j["data"]["result"];
    }
    [[nodiscard]] std::string log() const { return process_.log(); }

private:
    std::uint16_t port_;
    ChildProcess process_;
};

TEST(PrometheusScrape, PromQlReturnsTheCsvsReadingsInBaseUnits) {
    TempDir dir;
    const std::uint16_t metrics_port = free_port();
    // One poll at the start, then none for an hour: the value Prometheus holds is that poll's.
    SinkDaemon daemon(dir, {.serial = 5550501,
                            .interval = "1h",
                            .gateway_toml = "metrics_listen = \"127.0.0.1:" + std::to_string(metrics_port) +
                                            "\"\nmetrics_readings = true\n"});
    ASSERT_TRUE(daemon.wait_for_polls(1, 90s)) << daemon.log();
    const CsvPoll poll = daemon.polls().front();
    Prometheus prometheus(dir, metrics_port);

    const std::string selector = "{meter=\"house\",serial=\"5550501\"}";
    nlohmann::json energy;
    ASSERT_TRUE(wait_until(
        [&] {
            energy = prometheus.query("kamgw_reading_heat_energy_joules_total" + selector);
            return energy.size() == 1;
        },
        90s))
        << prometheus.log() << daemon.log();
    const std::string energy_text = energy[0]["value"][1].get<std::string>();
    // The sim meter counts heat energy in MWh: 1 MWh = 3.6e9 J, exactly.
    const double expected_joules = std::stod(poll.values.at("heat_energy")) * 3.6e9;
    EXPECT_DOUBLE_EQ(std::stod(energy_text), expected_joules);
    EXPECT_EQ(energy[0]["metric"]["model"], "MULTICAL 403 (simulated)");

    const auto volume = prometheus.query("kamgw_reading_volume_cubic_meters_total" + selector);
    ASSERT_EQ(volume.size(), 1u);
    EXPECT_DOUBLE_EQ(std::stod(volume[0]["value"][1].get<std::string>()), std::stod(poll.values.at("volume")));
    const auto hours = prometheus.query("kamgw_reading_hour_counter_seconds_total" + selector);
    ASSERT_EQ(hours.size(), 1u);
    EXPECT_DOUBLE_EQ(std::stod(hours[0]["value"][1].get<std::string>()),
                     std::stod(poll.values.at("hour_counter")) * 3600);
    std::printf(
        "[prometheus] kamgw_reading_heat_energy_joules_total%s = %s (CSV: heat_energy %s MWh); "
        "volume %s m³; hour_counter %s s\n",
        selector.c_str(), energy_text.c_str(), poll.values.at("heat_energy").c_str(),
        volume[0]["value"][1].get<std::string>().c_str(), hours[0]["value"][1].get<std::string>().c_str());
    EXPECT_EQ(daemon.stop(), 0);
}

}  // namespace
}  // namespace kamgw::test::daemon_sinks
