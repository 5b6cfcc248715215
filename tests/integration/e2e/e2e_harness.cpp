#include "tests/integration/e2e/e2e_harness.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "tests/support/network.hpp"

namespace kamgw::test::e2e {

SimMeter::SimMeter(const TempDir& dir, SimOptions options)
    : options_(std::move(options)), link_(dir / ("meter-" + std::to_string(options_.serial))) {
    std::vector<std::string> argv = {kamgw_binary().string(), "sim",      "--pty",
                                     link_.string(),          "--serial", std::to_string(options_.serial),
                                     "--log-level",           "info"};
    if (!options_.faults.empty()) {
        argv.emplace_back("--faults");
        argv.push_back(options_.faults);
    }
    if (options_.strict_line) argv.emplace_back("--strict-line");
    process_ = ChildProcess(argv, dir / ("sim-" + std::to_string(options_.serial) + ".log"));
    // The sim prints "pty LINK DEVICE" once the link points at a live pty.
    if (!wait_until([&] { return process_.log().find("pty " + link_.string()) != std::string::npos; }, 20s))
        throw std::runtime_error("kamgw sim did not create " + link_.string() + ":\n" + process_.log());
}

std::vector<std::string> SimMeter::line_settings_seen() const {
    std::vector<std::string> seen;
    std::istringstream in(process_.log());
    const std::string marker = "line settings: ";
    for (std::string line; std::getline(in, line);) {
        const auto at = line.find(marker);
        if (at == std::string::npos) continue;
        std::string setting = line.substr(at + marker.size());
        setting = setting.substr(0, setting.find(';'));
        seen.push_back(setting);
    }
    return seen;
}

void SimMeter::freeze() const { process_.send_signal(SIGSTOP); }
void SimMeter::thaw() const { process_.send_signal(SIGCONT); }

Ser2net::Ser2net(const TempDir& dir, const std::filesystem::path& device, BridgeMode mode, std::string line)
    : port_(free_port()) {
    const std::string name = mode == BridgeMode::rfc2217 ? "rfc2217" : "raw";
    config_ = dir / ("ser2net-" + name + ".yaml");  // ser2net reads YAML only from a *.yaml file
    log_file_ = dir / ("ser2net-" + name + ".log");
    const std::string accepter = std::string(mode == BridgeMode::rfc2217 ? "telnet(rfc2217),tcp" : "tcp") +
                                 ",127.0.0.1," + std::to_string(port_);
    dir.write(config_.filename().string(), "%YAML 1.1\n---\nconnection: &meter\n    accepter: " + accepter +
                                               "\n    connector: serialdev," + device.string() + "," + line +
                                               ",local\n    options:\n      kickolduser: true\n");
    start();
}

void Ser2net::start() {
    process_ = ChildProcess({"ser2net", "-n", "-d", "-u", "-c", config_.string()}, log_file_);
    // After a SIGKILL the old listening socket is gone at once, but give a loaded machine time.
    if (!wait_for_port(port_, 20s))
        throw std::runtime_error("ser2net did not listen on " + std::to_string(port_) + ":\n" + process_.log());
}

void Ser2net::kill_hard() { process_.kill_hard(); }

const nlohmann::json* ReadResult::find(const std::string& key) const {
    for (const auto& r : readings)
        if (r.value("key", "") == key) return &r;
    return nullptr;
}

ReadResult kamgw_read(const std::vector<std::string>& args, std::chrono::milliseconds timeout) {
    std::vector<std::string> argv = {kamgw_binary().string(), "read", "--plugin-dir", plugin_dir().string()};
    argv.insert(argv.end(), args.begin(), args.end());
    const auto command = run_command(argv, timeout);
    ReadResult result;
    result.exit_code = command.exit_code;
    result.output = command.output;
    // stderr shares the pipe (warnings, "missing: …"); the JSON Lines are the lines that parse.
    std::istringstream in(command.output);
    for (std::string line; std::getline(in, line);) {
        if (line.empty() || line.front() != '{') continue;
        auto parsed = nlohmann::json::parse(line, nullptr, false);
        if (!parsed.is_discarded()) result.readings.push_back(std::move(parsed));
    }
    return result;
}

Daemon::Daemon(const TempDir& dir, const std::vector<MeterEntry>& meters, const std::string& log_level,
               std::vector<std::string> prefix)
    : config_(dir / "kamgw.toml"), csv_(dir / "readings.csv"), metrics_port_(free_port()) {
    std::ostringstream toml;
    toml << "[gateway]\nid = \"e2e\"\nstate_dir = \"" << (dir / "state").string() << "\"\nlog_level = \"" << log_level
         << "\"\nmetrics_listen = \"127.0.0.1:" << metrics_port_ << "\"\n\n";
    for (const auto& m : meters) {
        toml << "[[meter]]\nname = \"" << m.name << "\"\nurl = \"" << m.url << "\"\ninterval = \"" << m.interval
             << "\"\n";
        if (!m.timeout.empty()) toml << "timeout = \"" << m.timeout << "\"\n";
        if (!m.registers.empty()) {
            toml << "registers = [";
            for (std::size_t i = 0; i < m.registers.size(); ++i)
                toml << (i ? ", " : "") << '"' << m.registers[i] << '"';
            toml << "]\n";
        }
        toml << '\n';
    }
    toml << "[[sink]]\ntype = \"csv\"\npath = \"" << csv_.string() << "\"\nline_ending = \"lf\"\n";
    dir.write(config_.filename().string(), toml.str());
    std::vector<std::string> argv = std::move(prefix);
    for (std::string arg : {kamgw_binary().string(), std::string("run"), std::string("-c"), config_.string(),
                            std::string("--plugin-dir"), plugin_dir().string()})
        argv.push_back(std::move(arg));
    process_ = ChildProcess(std::move(argv), dir / "kamgw.log");
}

std::map<std::string, std::string> Daemon::health() const {
    std::map<std::string, std::string> out;
    const auto answer = http_get(metrics_port_, "/health");
    if (!answer) return out;
    const auto doc = nlohmann::json::parse(answer->body, nullptr, false);
    if (doc.is_discarded() || !doc.contains("meters")) return out;
    for (const auto& m : doc["meters"]) out[m.value("name", "")] = m.value("health", "");
    return out;
}

std::uint64_t Daemon::meter_counter(const std::string& meter, const std::string& name) const {
    const auto answer = http_get(metrics_port_, "/metrics");
    if (!answer) return 0;
    const std::string prefix = "kamgw_meter_" + name + "_total{meter=\"" + meter + "\"} ";
    const auto at = answer->body.find(prefix);
    return at == std::string::npos ? 0 : std::stoull(answer->body.substr(at + prefix.size()));
}

const std::string& CsvRow::operator[](const std::string& column) const {
    static const std::string none;
    const auto it = fields.find(column);
    return it == fields.end() ? none : it->second;
}

namespace {

std::vector<std::string> split_csv_line(const std::string& line) {
    std::vector<std::string> out(1);
    bool quoted = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (quoted) {
            if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
                out.back() += '"';
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else {
                out.back() += c;
            }
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            out.emplace_back();
        } else if (c != '\r') {
            out.back() += c;
        }
    }
    return out;
}

}  // namespace

std::vector<CsvRow> read_csv_rows(const std::filesystem::path& file) {
    std::vector<CsvRow> rows;
    std::ifstream in(file);
    std::string line;
    if (!std::getline(in, line)) return rows;
    const auto header = split_csv_line(line);
    while (std::getline(in, line)) {
        // A row being written is complete only once its newline is there; getline cannot tell,
        // so a row with fewer fields than the header is left for the next look.
        const auto fields = split_csv_line(line);
        if (fields.size() != header.size()) continue;
        CsvRow row;
        for (std::size_t i = 0; i < header.size(); ++i) row.fields[header[i]] = fields[i];
        rows.push_back(std::move(row));
    }
    return rows;
}

std::size_t count_csv_rows(const std::filesystem::path& file) { return read_csv_rows(file).size(); }

std::optional<HttpAnswer> http_get(std::uint16_t port, const std::string& path) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return std::nullopt;
    timeval tv{5, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(fd);
        return std::nullopt;
    }
    const std::string request = "GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(request.size())) {
        ::close(fd);
        return std::nullopt;
    }
    std::string response;
    char buffer[4096];
    for (;;) {
        const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
        if (n <= 0) break;
        response.append(buffer, static_cast<std::size_t>(n));
    }
    ::close(fd);
    const auto head_end = response.find("\r\n\r\n");
    if (response.rfind("HTTP/", 0) != 0 || head_end == std::string::npos) return std::nullopt;
    HttpAnswer answer;
    answer.status = std::atoi(response.c_str() + response.find(' ') + 1);
    answer.body = response.substr(head_end + 4);
    return answer;
}

double seconds_between(SteadyTime from, SteadyTime to) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(to - from).count() / 1000.0;
}

}  // namespace kamgw::test::e2e
