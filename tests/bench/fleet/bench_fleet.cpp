// kamgw_bench_fleet: how long one kamgw takes to read a fleet of meters, and what it costs.
//
// For each fleet size N (default 1 and 200) it starts one `kamgw sim --listen … --count N`
// (N simulated MULTICAL 403s on N TCP ports, answers paced at 1200 baud, 8N2: a default read is
// about 1 s of wire time per meter), then `kamgw run` with N [[meter]]s (one TCP line each,
// the catalogue's default registers, interval --interval) and a CSV sink, and watches the CSV.
//
// Definitions (wall clock, observed by polling the CSV file every 5 ms):
//   first cycle   daemon start -> the moment the last meter's first batch is in the CSV
//                 (includes plugin loading, connecting and identifying every meter)
//   first spread  first meter's first batch -> last meter's first batch
//   steady cycle  daemon start + interval (when the second polls fall due: a meter's next
//                 poll is one interval after its first began) -> the last meter's second batch;
//                 connections are open and meters identified, so this is the poll alone
//   steady spread first meter's second batch -> last meter's second batch
// Then kamgw's peak RSS (VmHWM), RSS, thread count (/proc/<pid>/status) and CPU time.
//
//   kamgw_bench_fleet [--meters 1,200] [--interval 10s] [--keep DIR]
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using kamgw::test::ChildProcess;
using kamgw::test::TempDir;

double seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

std::map<std::string, std::string> proc_status(pid_t pid) {
    std::map<std::string, std::string> out;
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(in, line);) {
        const auto colon = line.find(':');
        if (colon == std::string::npos) continue;
        std::string value = line.substr(colon + 1);
        value.erase(0, value.find_first_not_of(" \t"));
        out[line.substr(0, colon)] = value;
    }
    return out;
}

// utime + stime of a process, in seconds.
double cpu_seconds(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto close = text.rfind(')');
    if (close == std::string::npos) return 0;
    std::istringstream fields(text.substr(close + 2));
    std::vector<std::string> f;
    for (std::string s; fields >> s;) f.push_back(s);
    // After the name: state(0) ppid … utime is field 14 of the whole line, i.e. index 11 here.
    if (f.size() < 13) return 0;
    const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
    return (std::stod(f[11]) + std::stod(f[12])) / ticks;
}

// Follows the CSV file as it grows and counts, per serial, the batches seen and when each
// batch completed (a batch is `rows_per_batch` rows of one meter).
class CsvFollower {
public:
    CsvFollower(std::string path, std::size_t rows_per_batch) : path_(std::move(path)), per_batch_(rows_per_batch) {}

    void poll(Clock::time_point now) {
        std::ifstream in(path_, std::ios::binary);
        if (!in) return;
        in.seekg(static_cast<std::streamoff>(offset_));
        std::string chunk((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        std::size_t start = 0;
        for (;;) {
            const auto nl = chunk.find('\n', start);
            if (nl == std::string::npos) break;  // a partial line waits for the next look
            line(chunk.substr(start, nl - start), now);
            start = nl + 1;
        }
        offset_ += start;
    }

    // When each meter's n-th batch (1-based) was complete; meters without one are missing.
    [[nodiscard]] std::vector<Clock::time_point> batch_times(std::size_t n) const {
        std::vector<Clock::time_point> out;
        for (const auto& [serial, m] : meters_)
            if (m.batch_done.size() >= n) out.push_back(m.batch_done[n - 1]);
        return out;
    }
    [[nodiscard]] std::size_t meters_with(std::size_t n) const { return batch_times(n).size(); }
    [[nodiscard]] std::size_t rows() const { return rows_; }

private:
    struct Meter {
        std::size_t rows = 0;
        std::vector<Clock::time_point> batch_done;
    };

    void line(const std::string& text, Clock::time_point now) {
        if (!header_seen_) {
            header_seen_ = true;
            return;
        }
        // time,meter,serial,key,…: the serial is the third field.
        const auto a = text.find(',');
        const auto b = a == std::string::npos ? a : text.find(',', a + 1);
        const auto c = b == std::string::npos ? b : text.find(',', b + 1);
        if (c == std::string::npos) return;
        ++rows_;
        Meter& m = meters_[text.substr(b + 1, c - b - 1)];
        if (++m.rows % per_batch_ == 0) m.batch_done.push_back(now);
    }

    std::string path_;
    std::size_t per_batch_;
    std::size_t offset_ = 0;
    bool header_seen_ = false;
    std::size_t rows_ = 0;
    std::map<std::string, Meter> meters_;
};

struct Result {
    unsigned meters = 0;
    double first_cycle = -1, first_spread = -1, steady_cycle = -1, steady_spread = -1;
    std::string vm_hwm, vm_rss, threads;
    double kamgw_cpu = 0, sim_cpu = 0;
    std::size_t rows = 0;
};

// The catalogue's default poll (kamgw registers): 7 registers, one GetRegister request.
constexpr std::size_t kDefaultRegisters = 7;

Result run_fleet(unsigned count, const std::string& interval, std::chrono::seconds interval_length,
                 const std::string& keep) {
    TempDir dir;
    Result result;
    result.meters = count;
    ChildProcess sim({kamgw::test::kamgw_binary().string(), "sim", "--listen", "tcp://127.0.0.1:0", "--count",
                      std::to_string(count), "--serial", "70000000", "--log-level", "warn"},
                     dir / "sim.log");
    std::vector<std::string> ports;
    const bool listening = kamgw::test::wait_until(
        [&] {
            ports.clear();
            const std::string log = sim.log();
            static const std::regex re("listening tcp://127\\.0\\.0\\.1:([0-9]+)");
            for (std::sregex_iterator it(log.begin(), log.end(), re), end; it != end; ++it) ports.push_back((*it)[1]);
            return ports.size() == count;
        },
        60s);
    if (!listening) throw std::runtime_error("kamgw sim did not listen on " + std::to_string(count) + " ports");

    std::ostringstream toml;
    toml << "[gateway]\nid = \"bench\"\nstate_dir = \"" << (dir / "state").string() << "\"\nlog_level = \"warn\"\n\n";
    for (unsigned i = 0; i < count; ++i)
        toml << "[[meter]]\nname = \"m" << i << "\"\nurl = \"tcp://127.0.0.1:" << ports[i] << "\"\ninterval = \""
             << interval << "\"\n\n";
    const auto csv = dir / "readings.csv";
    toml << "[[sink]]\ntype = \"csv\"\npath = \"" << csv.string() << "\"\nline_ending = \"lf\"\n";
    const auto config = dir.write("kamgw.toml", toml.str());

    const double sim_cpu_before = cpu_seconds(sim.pid());
    const auto started = Clock::now();
    ChildProcess daemon({kamgw::test::kamgw_binary().string(), "run", "-c", config.string(), "--plugin-dir",
                         kamgw::test::plugin_dir().string()},
                        dir / "kamgw.log");
    CsvFollower follower(csv.string(), kDefaultRegisters);
    // The second batches are due one interval after the first; allow the fleet a whole extra
    // interval (and a minute) before giving up.
    const auto deadline = started + 2 * interval_length + 60s;
    while (Clock::now() < deadline && follower.meters_with(2) < count && daemon.running()) {
        ::usleep(5000);
        follower.poll(Clock::now());
    }
    const auto status = proc_status(daemon.pid());
    result.vm_hwm = status.count("VmHWM") ? status.at("VmHWM") : "?";
    result.vm_rss = status.count("VmRSS") ? status.at("VmRSS") : "?";
    result.threads = status.count("Threads") ? status.at("Threads") : "?";
    result.kamgw_cpu = cpu_seconds(daemon.pid());
    result.sim_cpu = cpu_seconds(sim.pid()) - sim_cpu_before;
    result.rows = follower.rows();

    const auto first = follower.batch_times(1);
    if (first.size() == count) {
        const auto [lo, hi] = std::minmax_element(first.begin(), first.end());
        result.first_cycle = seconds(*hi - started);
        result.first_spread = seconds(*hi - *lo);
    }
    const auto second = follower.batch_times(2);
    if (second.size() == count) {
        const auto [lo, hi] = std::minmax_element(second.begin(), second.end());
        result.steady_cycle = seconds(*hi - (started + interval_length));
        result.steady_spread = seconds(*hi - *lo);
    }
    daemon.stop();
    sim.stop();
    if (!keep.empty()) {
        std::filesystem::create_directories(keep);
        const auto to = std::filesystem::path(keep) / ("fleet-" + std::to_string(count));
        std::filesystem::remove_all(to);
        std::filesystem::copy(dir.path(), to, std::filesystem::copy_options::recursive);
    }
    if (first.size() != count)
        std::fprintf(stderr, "only %zu of %u meters delivered a first batch; kamgw log:\n%s\n", first.size(), count,
                     daemon.log().substr(0, 4000).c_str());
    return result;
}

std::vector<unsigned> parse_list(const std::string& text) {
    std::vector<unsigned> out;
    std::stringstream in(text);
    for (std::string item; std::getline(in, item, ',');)
        if (!item.empty()) out.push_back(static_cast<unsigned>(std::stoul(item)));
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<unsigned> fleets = {1, 200};
    std::string interval = "10s", keep;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--meters" && i + 1 < argc) {
            fleets = parse_list(argv[++i]);
        } else if (arg == "--interval" && i + 1 < argc) {
            interval = argv[++i];
        } else if (arg == "--keep" && i + 1 < argc) {
            keep = argv[++i];
        } else {
            std::fprintf(stderr, "usage: %s [--meters 1,200] [--interval 10s] [--keep DIR]\n", argv[0]);
            return 64;
        }
    }
    if (interval.empty() || interval.back() != 's') {
        std::fprintf(stderr, "--interval takes whole seconds, e.g. 10s\n");
        return 64;
    }
    const std::chrono::seconds interval_length(std::stoul(interval));
    // 200 meters need 200 sockets in kamgw and 400 in the sim; make sure the soft limit allows it.
    rlimit files{};
    if (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
        files.rlim_cur = files.rlim_max;
        setrlimit(RLIMIT_NOFILE, &files);
    }

    std::printf("kamgw fleet benchmark: kamgw %s, plugins %s, interval %s, %zu registers a poll (1 request)\n",
                kamgw::test::kamgw_binary().c_str(), kamgw::test::plugin_dir().c_str(), interval.c_str(),
                kDefaultRegisters);
    std::printf("%7s %12s %13s %13s %14s %10s %10s %8s %9s %9s %7s\n", "meters", "first_cycle", "first_spread",
                "steady_cycle", "steady_spread", "VmHWM", "VmRSS", "threads", "kamgw_cpu", "sim_cpu", "rows");
    int failures = 0;
    for (unsigned n : fleets) {
        Result r;
        try {
            r = run_fleet(n, interval, interval_length, keep);
        } catch (const std::exception& e) {
            std::fprintf(stderr, "%u meters: %s\n", n, e.what());
            ++failures;
            continue;
        }
        if (r.first_cycle < 0 || r.steady_cycle < 0) ++failures;
        std::printf("%7u %11.3fs %12.3fs %12.3fs %13.3fs %10s %10s %8s %8.2fs %8.2fs %7zu\n", r.meters, r.first_cycle,
                    r.first_spread, r.steady_cycle, r.steady_spread, r.vm_hwm.c_str(), r.vm_rss.c_str(),
                    r.threads.c_str(), r.kamgw_cpu, r.sim_cpu, r.rows);
        std::fflush(stdout);
    }
    return failures == 0 ? 0 : 1;
}
