#include "tests/integration/daemon-sinks/sink_daemon.hpp"

#include <ctime>
#include <set>
#include <sstream>

#include "tests/integration/e2e/e2e_harness.hpp"

namespace kamgw::test::daemon_sinks {

std::int64_t parse_utc(const std::string& iso) {
    std::tm tm{};
    std::istringstream in(iso);
    in >> std::get_time(&tm, "%Y-%m-%dT%H:%M:%S");
    if (in.fail()) return -1;
    return static_cast<std::int64_t>(::timegm(&tm));
}

std::vector<CsvPoll> read_polls(const std::filesystem::path& csv) {
    std::vector<CsvPoll> polls;
    for (const auto& row : e2e::read_csv_rows(csv)) {
        const std::string& time = row["time"];
        const std::string& key = row["key"];
        if (polls.empty() || polls.back().time != time || polls.back().values.count(key)) {
            CsvPoll poll;
            poll.time = time;
            poll.unix_s = parse_utc(time);
            polls.push_back(std::move(poll));
        }
        polls.back().values[key] = row["value"];
        polls.back().quality[key] = row["quality"];
    }
    return polls;
}

std::vector<CsvPoll> distinct_polls(const std::vector<CsvPoll>& polls) {
    std::vector<CsvPoll> out;
    std::set<std::string> seen;
    for (const auto& p : polls) {
        std::string key = p.time;
        for (const auto& [k, v] : p.values) key += " " + k + "=" + v;
        if (seen.insert(key).second) out.push_back(p);
    }
    return out;
}

SinkDaemon::SinkDaemon(const TempDir& dir, DaemonSettings settings)
    : settings_(std::move(settings)), config_(dir / "kamgw.toml"), csv_(dir / "readings.csv") {
    std::ostringstream toml;
    toml << "[gateway]\nid = \"" << settings_.gateway_id << "\"\nstate_dir = \"" << (dir / "state").string()
         << "\"\nlog_level = \"info\"\n"
         << settings_.gateway_toml << "\n"
         << "[[meter]]\nname = \"house\"\nurl = \"sim://multical403?serial=" << settings_.serial
         << settings_.meter_options << "\"\ninterval = \"" << settings_.interval << "\"\n\n"
         << "[[sink]]\ntype = \"csv\"\npath = \"" << csv_.string() << "\"\nline_ending = \"lf\"\n\n"
         << settings_.sink_toml;
    dir.write(config_.filename().string(), toml.str());
    process_ =
        ChildProcess({kamgw_binary().string(), "run", "-c", config_.string(), "--plugin-dir", plugin_dir().string()},
                     dir / "kamgw.log");
}

void SinkDaemon::start() { process_.start(); }

bool SinkDaemon::wait_for_polls(std::size_t count, std::chrono::milliseconds timeout) const {
    return wait_until([&] { return read_polls(csv_).size() >= count; }, timeout);
}

}  // namespace kamgw::test::daemon_sinks
