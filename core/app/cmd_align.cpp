// kamgw align: a live assistant for placing the optical head. About once a second it sends the
// cheapest request a meter answers (GetSerialNo) through the daemon's own transports and session
// code, and shows what each attempt got, the success rate and the answer delay, until the head
// is stable (10 answers in a row). One updating line on a terminal, plain lines otherwise,
// JSON Lines with --json.
#include <unistd.h>

#include <utility>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/program_options.hpp>
#include <deque>
#include <iostream>
#include <map>

#include "core/app/commands.hpp"
#include "core/app/exit_codes.hpp"
#include "core/base/logging.hpp"
#include "core/app/meter_target.hpp"
#include "core/base/paths.hpp"
#include "core/app/plugin_loading.hpp"
#include "core/config/duration.hpp"
#include "core/config/meter_url.hpp"
#include "core/meter/meter_session.hpp"
#include "kamgw/json_object.hpp"

namespace po = boost::program_options;

namespace kamgw::app {
namespace {

using Kind = meter::ProbeResult::Kind;
constexpr std::size_t stable_after = 10;  // answers in a row that make a position "stable"

// Words for a person; probe_kind_name() is the JSON spelling.
std::string_view kind_words(Kind kind) {
    switch (kind) {
        case Kind::answered:
            return "answered";
        case Kind::silent:
            return "silent";
        case Kind::echo_only:
            return "echo only";
        case Kind::crc_error:
            return "CRC error";
        case Kind::garbage:
            return "garbage";
        case Kind::link_down:
            return "link down";
    }
    return "silent";
}

struct Tally {
    std::size_t attempts = 0, answered = 0, in_a_row = 0;
    std::size_t stable_at = 0;  // attempt that first made 10 in a row; 0: never
    std::deque<bool> last;      // the last 10 attempts, answered or not
    std::map<Kind, std::size_t> kinds;
    std::vector<std::int64_t> delays_ms;

    void add(const meter::ProbeResult& r) {
        ++attempts;
        ++kinds[r.kind];
        const bool ok = r.kind == Kind::answered;
        answered += ok ? 1 : 0;
        in_a_row = ok ? in_a_row + 1 : 0;
        if (in_a_row >= stable_after && stable_at == 0) stable_at = attempts;
        last.push_back(ok);
        if (last.size() > stable_after) last.pop_front();
        if (ok) delays_ms.push_back(r.delay.count());
    }
    [[nodiscard]] std::size_t last_ok() const {
        return static_cast<std::size_t>(std::count(last.begin(), last.end(), true));
    }
    [[nodiscard]] bool stable() const { return in_a_row >= stable_after; }
    [[nodiscard]] int percent() const { return attempts ? static_cast<int>(100 * answered / attempts) : 0; }
};

std::string attempt_text(const meter::ProbeResult& r, const Tally& t) {
    std::string out = "#" + std::to_string(t.attempts) + " " + std::string(kind_words(r.kind));
    if (r.kind == Kind::answered) out += " in " + std::to_string(r.delay.count()) + " ms";
    std::string marks;
    for (bool ok : t.last) marks += ok ? '+' : '.';
    out += " | last " + std::to_string(t.last.size()) + ": " + marks + " " + std::to_string(t.last_ok()) + "/" +
           std::to_string(t.last.size()) + " | since start " + std::to_string(t.answered) + "/" +
           std::to_string(t.attempts) + " (" + std::to_string(t.percent()) + " %)";
    if (t.stable()) out += " | stable - fix the head here";
    return out;
}

std::string attempt_json(const meter::ProbeResult& r, const Tally& t) {
    JsonObject o;
    o.number("attempt", static_cast<std::int64_t>(t.attempts)).string("result", meter::probe_kind_name(r.kind));
    if (r.kind == Kind::answered) o.number("delay_ms", r.delay.count()).string("serial", r.serial);
    if (r.kind != Kind::answered && !r.detail.empty()) o.string("detail", r.detail);
    o.number("last10_answered", static_cast<std::int64_t>(t.last_ok()))
        .number("last10_attempts", static_cast<std::int64_t>(t.last.size()))
        .number("answered", static_cast<std::int64_t>(t.answered))
        .number("in_a_row", static_cast<std::int64_t>(t.in_a_row))
        .boolean("stable", t.stable());
    return o.str();
}

std::string summary(const Tally& t) {
    std::string out = std::to_string(t.attempts) + " attempts, " + std::to_string(t.answered) + " answered (" +
                      std::to_string(t.percent()) + " %)";
    for (const auto& [kind, n] : t.kinds)
        if (kind != Kind::answered) out += ", " + std::to_string(n) + " " + std::string(kind_words(kind));
    if (!t.delays_ms.empty()) {
        std::vector<std::int64_t> d = t.delays_ms;
        std::sort(d.begin(), d.end());
        out += "; answer delay " + std::to_string(d.front()) + "-" + std::to_string(d.back()) + " ms (median " +
               std::to_string(d[d.size() / 2]) + " ms)";
    }
    out += t.stable_at ? "; stable since attempt " + std::to_string(t.stable_at - stable_after + 1)
                       : "; never " + std::to_string(stable_after) + " answers in a row";
    return out;
}

struct Output {
    bool json = false;
    bool terminal = false;  // one line, rewritten in place
};

boost::asio::awaitable<void> align(meter::MeterSession& session, Tally& tally, Output out, std::size_t count,
                                   std::chrono::milliseconds interval, bool& done) {
    boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
    bool stable_said = false;
    while (count == 0 || tally.attempts < count) {
        const auto started = std::chrono::steady_clock::now();
        const meter::ProbeResult r = co_await session.probe();
        tally.add(r);
        if (out.json) {
            std::cout << attempt_json(r, tally) << '\n';
        } else if (out.terminal) {
            std::cout << "\r\033[K" << attempt_text(r, tally);
        } else {
            std::cout << attempt_text(r, tally) << '\n';
            if (tally.stable() && !stable_said)
                std::cout << "stable: " << stable_after << " answers in a row - fix the head here\n";
        }
        stable_said = tally.stable();
        std::cout.flush();
        timer.expires_at(started + interval);
        boost::system::error_code ec;
        co_await timer.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
    }
    done = true;
}

}  // namespace

int cmd_align(int argc, char** argv) {
    std::string url, meter_name, config_file = base::default_config_file, timeout_text, interval_text = "1s", log_level;
    std::size_t count = 0;
    std::vector<std::string> plugin_dirs;
    LineOptions line;
    po::options_description options(
        "kamgw align URL|--meter NAME [options]: help place the optical head. About once a second one\n"
        "GetSerialNo; each attempt shows whether the meter answered (or was silent, only echoed, answered\n"
        "with a CRC error or garbage), the success rate and the answer delay. Ten answers in a row: stable,\n"
        "fix the head there. Ctrl-C or --count N stops, with a summary on stderr.\n\n" +
        exit_code_help({exit_code::ok, exit_code::usage, exit_code::meter_unavailable, exit_code::config_error}) +
        "  (0: the head was stable at some point; 69: it never was)\n\nOptions");
    options.add_options()("help,h", "show this help")("meter", po::value(&meter_name)->value_name("NAME"),
                                                      "the [[meter]] of this name in the configuration")(
        "config,c", po::value(&config_file)->value_name("FILE"), "configuration file (for --meter and plugin_dirs)")(
        "count", po::value(&count)->value_name("N"), "stop after N attempts (default: until Ctrl-C)")(
        "json", "print JSON Lines, one object per attempt")(
        "interval", po::value(&interval_text)->value_name("DURATION"), "time between attempts (default 1s)")(
        "timeout", po::value(&timeout_text)->value_name("DURATION"), "first-byte timeout (default 2s)");
    add_line_options(options, line);
    options.add_options()("plugin-dir", po::value(&plugin_dirs)->value_name("DIR")->composing(),
                          "load plugins from DIR first")("verbose,v", "log the bytes sent and received (debug)")(
        "log-level", po::value(&log_level)->value_name("LEVEL"), "trace, debug, info, warn or error (default: warn)");
    po::positional_options_description positional;
    positional.add("url", 1);
    options.add_options()("url", po::value(&url)->value_name("URL"), "meter URL, e.g. /dev/ttyUSB0");
    po::variables_map vm;
    if (const auto done = parse_command_line(argc, argv, options, positional, vm, "align")) return *done;
    if (vm.count("verbose")) log_level = "debug";
    if (!base::init_logging(log_level.empty() ? "warn" : log_level, false)) {
        std::cerr << "kamgw align: unknown log level '" << log_level << "'\n";
        return exit_code::usage;
    }
    if (url.empty() == meter_name.empty()) {
        std::cerr << "kamgw align: give either a meter URL or --meter NAME\n\n" << options;
        return exit_code::usage;
    }
    const auto interval = config::parse_duration(interval_text);
    if (!interval || interval->count() < 100) {
        std::cerr << "kamgw align: --interval '" << interval_text << "' must be a duration of at least 100ms\n";
        return exit_code::usage;
    }

    std::vector<std::filesystem::path> extra(plugin_dirs.begin(), plugin_dirs.end());
    auto registry = load_plugins(config_file, extra);
    for (const auto& p : registry->problems()) std::cerr << "warning: " << p.message << '\n';
    config::MeterConfig meter;
    if (const auto failed =
            resolve_meter(url, meter_name, config_file, *registry, timeout_text, line, "align", std::cerr, meter))
        return *failed;
    // Each attempt is shown on its own; the session's log lines would repeat it.
    if (log_level.empty()) base::make_logger("meter " + meter.name)->set_level(spdlog::level::off);

    const Output out{.json = vm.count("json") > 0, .terminal = !vm.count("json") && ::isatty(STDOUT_FILENO) == 1};
    std::cerr << "kamgw align: one GetSerialNo to " << config::redact_url(meter.url) << " about every " << interval_text
              << (count ? ", " + std::to_string(count) + " times" : "; Ctrl-C stops") << ".\nMove the head slowly; "
              << stable_after
              << " answers in a row mean it is in place. Each request wakes the meter's optical port,\n"
                 "which stays awake about 1.6 s after it answers, and costs a little battery: minutes of this "
                 "are nothing,\nhours are not.\n";

    boost::asio::io_context io;
    const host::PluginRegistry& reg = *registry;
    meter::TransportFactory factory = [&reg, scheme = meter.endpoint.scheme](const TransportContext& ctx) {
        return reg.make_transport(scheme, ctx);
    };
    meter::SessionTuning tuning;
    tuning.close_after_failed = 0;  // each attempt is one position of the head, not a link to give up on
    tuning.warn_missing_registers = false;
    Tally tally;
    bool done = false;
    {
        meter::MeterSession session(io.get_executor(), meter, factory, tuning);
        boost::asio::signal_set signals(io, SIGINT, SIGTERM);
        signals.async_wait([&io](boost::system::error_code ec, int) {
            if (!ec) io.stop();
        });
        std::exception_ptr failure;
        boost::asio::co_spawn(io, align(session, tally, out, count, *interval, done), [&](std::exception_ptr e) {
            failure = e;
            signals.cancel();
        });
        io.run();
        if (failure) {
            try {
                std::rethrow_exception(failure);
            } catch (const std::exception& e) {
                std::cerr << "kamgw align: " << e.what() << '\n';
            }
            return exit_code::internal_error;
        }
    }
    if (out.terminal) std::cout << '\n';
    std::cout.flush();
    std::cerr << "kamgw align: " << summary(tally) << '\n';
    return tally.stable_at ? exit_code::ok : exit_code::meter_unavailable;
}

}  // namespace kamgw::app
