#include "tests/integration/daemon-sinks/influx_points.hpp"

#include <httplib.h>

#include <algorithm>
#include <nlohmann/json.hpp>

namespace kamgw::test::daemon_sinks {

std::vector<Point> csv_points(const std::vector<CsvPoll>& polls) {
    std::vector<Point> out;
    for (const auto& poll : polls)
        for (const auto& [key, value] : poll.values)
            if (poll.quality.at(key) == "ok") out.emplace_back(poll.unix_s, key, std::stod(value));
    std::sort(out.begin(), out.end());
    return out;
}

std::vector<Point> influx_points(const influxdb::test::InfluxdServer& server, const std::string& meter) {
    httplib::Client client("127.0.0.1", server.port());
    client.set_connection_timeout(5);
    client.set_read_timeout(20);
    const auto answer = client.Get(
        "/query",
        httplib::Params{{"db", "kamstrup"},
                        {"epoch", "ms"},
                        {"q", "SELECT \"key\", \"value\" FROM \"kamstrup\" WHERE \"meter\" = '" + meter + "'"}},
        httplib::Headers{});
    std::vector<Point> out;
    if (!answer || answer->status != 200) return out;
    const auto doc = nlohmann::json::parse(answer->body, nullptr, false);
    if (doc.is_discarded()) return out;
    const auto& result = doc["results"][0];
    if (!result.contains("series")) return out;
    for (const auto& row : result["series"][0]["values"]) {
        const auto ms = row[0].get<std::int64_t>();
        out.emplace_back(ms / 1000, row[1].get<std::string>(), row[2].get<double>());
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::size_t count_missing(const std::vector<Point>& expected, const std::vector<Point>& got, std::string* list) {
    std::size_t missing = 0;
    for (const auto& p : expected) {
        if (std::binary_search(got.begin(), got.end(), p)) continue;
        ++missing;
        if (list && missing <= 20)
            *list +=
                std::to_string(std::get<0>(p)) + " " + std::get<1>(p) + "=" + std::to_string(std::get<2>(p)) + "\n";
    }
    return missing;
}

}  // namespace kamgw::test::daemon_sinks
