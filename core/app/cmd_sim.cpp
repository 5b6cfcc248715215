// kamgw sim: a simulated meter on a pseudo terminal and/or a TCP port, for trying a setup
// (a serial transport, ser2net, the daemon) without a meter. Runs until SIGINT/SIGTERM.
#include <utility>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/program_options.hpp>
#include <iostream>
#include <memory>
#include <vector>

#include "core/app/commands.hpp"
#include "core/app/exit_codes.hpp"
#include "core/base/logging.hpp"
#include "core/config/duration.hpp"
#include "core/kmp/meter_model.hpp"
#include "core/meter/sim_server.hpp"

namespace po = boost::program_options;

namespace kamgw::app {
namespace {

// "tcp://127.0.0.1:2000", "127.0.0.1:2000" or ":2000" (loopback).
bool parse_listen(std::string text, std::string& host, std::uint16_t& port) {
    if (text.rfind("tcp://", 0) == 0) text.erase(0, 6);
    const auto colon = text.rfind(':');
    if (colon == std::string::npos) return false;
    host = colon == 0 ? "127.0.0.1" : text.substr(0, colon);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    try {
        std::size_t used = 0;
        const auto p = std::stoul(text.substr(colon + 1), &used);
        if (used != text.size() - colon - 1 || p > 65535) return false;
        port = static_cast<std::uint16_t>(p);
    } catch (const std::exception&) {
        return false;
    }
    return true;
}

}  // namespace

int cmd_sim(int argc, char** argv) {
    std::string model = "multical403", pty, listen, faults, answer_delay, log_level = "info";
    std::uint32_t serial = 0;
    std::uint64_t seed = 1;
    unsigned baud = 1200, count = 1;
    po::options_description options(
        "kamgw sim --model MODEL (--pty LINK | --listen tcp://HOST:PORT) [options]: serve a simulated meter "
        "that speaks KMP\nuntil SIGINT or SIGTERM. Answers are paced like the optical link (11 bits a byte). "
        "Prints 'pty LINK DEVICE'\nand/or 'listening tcp://HOST:PORT' on stdout once ready.\n\n" +
        exit_code_help({exit_code::ok, exit_code::usage, exit_code::os_error}) + "\nOptions");
    options.add_options()("help,h", "show this help")("model,m", po::value(&model)->value_name("MODEL"),
                                                      "multical403 (default), multical603 or flowiq")(
        "pty", po::value(&pty)->value_name("LINK"), "create a pty and make LINK a symlink to it")(
        "listen", po::value(&listen)->value_name("URL"), "listen on tcp://HOST:PORT (port 0: any free port)")(
        "serial", po::value(&serial)->value_name("N"), "serial number (default 12345678)")(
        "faults", po::value(&faults)->value_name("LIST"),
        "echo, noise, silent[=N], corrupt[=N], omit=ID+ID, sleep=AFTER[/QUIET], not_kmp")(
        "answer-delay", po::value(&answer_delay)->value_name("DURATION"),
        "time from a request to the first answer byte (default 50ms; a real meter: up to 1.6s)")(
        "count", po::value(&count)->value_name("N"),
        "with --listen: serve N meters from one process on ports PORT, PORT+1, ... (port 0: N free ports) "
        "with serials SERIAL, SERIAL+1, ... (a fleet for load tests)")(
        "baud", po::value(&baud)->value_name("N"), "pacing speed and expected line speed (default 1200)")(
        "no-pace", "send answers at once instead of at the line's speed")(
        "strict-line", "pty only: ignore requests unless the client set the line to the expected speed, 8N2")(
        "seed", po::value(&seed)->value_name("N"), "seed of the simulated values")(
        "log-level", po::value(&log_level)->value_name("LEVEL"), "trace, debug, info (default), warn, error");
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(argc, argv).options(options).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        std::cerr << "kamgw sim: " << e.what() << "\n\n" << options;
        return EX_USAGE;
    }
    if (vm.count("help")) {
        std::cout << options;
        return EX_OK;
    }
    if (!base::init_logging(log_level, false)) {
        std::cerr << "kamgw sim: unknown log level '" << log_level << "'\n";
        return EX_USAGE;
    }
    if (pty.empty() && listen.empty()) {
        std::cerr << "kamgw sim: give --pty LINK or --listen tcp://HOST:PORT (or both)\n\n" << options;
        return EX_USAGE;
    }

    meter::SimOptions sim;
    const auto kind = kmp::model_kind_from_name(model);
    if (!kind) {
        std::cerr << "kamgw sim: unknown model '" << model << "' (accepted: multical403, multical603, flowiq)\n";
        return EX_USAGE;
    }
    sim.kind = *kind;
    if (serial != 0) sim.serial = serial;
    sim.seed = seed;
    sim.baud = baud;
    sim.pace = vm.count("no-pace") == 0;
    sim.strict_line = vm.count("strict-line") != 0;
    try {
        sim.faults = kmp::parse_faults(faults);
    } catch (const std::invalid_argument& e) {
        std::cerr << "kamgw sim: " << e.what() << '\n';
        return EX_USAGE;
    }
    if (!answer_delay.empty()) {
        std::string why;
        const auto d = config::parse_duration(answer_delay, &why);
        if (!d) {
            std::cerr << "kamgw sim: --answer-delay: " << why << '\n';
            return EX_USAGE;
        }
        sim.faults.answer_delay = *d;
    }
    std::string host;
    std::uint16_t port = 0;
    if (!listen.empty() && !parse_listen(listen, host, port)) {
        std::cerr << "kamgw sim: --listen wants tcp://HOST:PORT, not '" << listen << "'\n";
        return EX_USAGE;
    }
    if (count == 0 || (count > 1 && listen.empty()) || (port != 0 && port + count - 1 > 65535)) {
        std::cerr << "kamgw sim: --count wants N >= 1, --listen, and ports that end at 65535 or below\n";
        return EX_USAGE;
    }

    boost::asio::io_context io;
    // One io thread serves every meter of a fleet; each meter is its own server with its own
    // serial number, so a reader sees `count` distinct meters.
    std::vector<std::unique_ptr<meter::SimServer>> servers;
    for (unsigned i = 0; i < count; ++i) {
        meter::SimOptions one = sim;
        one.serial = sim.serial + i;
        servers.push_back(std::make_unique<meter::SimServer>(io.get_executor(), one));
    }
    meter::SimServer& server = *servers.front();
    auto stop_all = [&] {
        for (auto& s : servers) s->stop();
    };
    try {
        if (!pty.empty()) {
            const std::string device = server.serve_pty(pty);
            std::cout << "pty " << pty << ' ' << device << std::endl;
        }
        for (unsigned i = 0; i < count && !listen.empty(); ++i) {
            const auto want = static_cast<std::uint16_t>(port == 0 ? 0 : port + i);
            const std::uint16_t bound = servers[i]->listen_tcp(host, want);
            std::cout << "listening tcp://" << host << ':' << bound << std::endl;
        }
    } catch (const std::exception& e) {
        std::cerr << "kamgw sim: " << e.what() << '\n';
        stop_all();
        return exit_code::os_error;
    }
    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code& ec, int signal) {
        if (ec) return;
        std::uint64_t requests = 0, answered = 0;
        for (const auto& s : servers) {
            requests += s->stats().requests;
            answered += s->stats().answered;
        }
        spdlog::info("signal {}: stopping (served {} requests, answered {})", signal, requests, answered);
        stop_all();
        io.stop();
    });
    io.run();
    stop_all();
    return EX_OK;
}

}  // namespace kamgw::app
