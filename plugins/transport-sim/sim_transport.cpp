#include "plugins/transport-sim/sim_transport.hpp"

#include <algorithm>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <stdexcept>
#include <system_error>

namespace kamgw::sim {
namespace {

namespace asio = boost::asio;
using std::chrono::steady_clock;

constexpr ConfigKey keys[] = {
    {"serial", ConfigType::integer, "", false, "serial number of the simulated meter (default: derived from the URL)",
     "", 1, 99999999},
    {"faults", ConfigType::string, "", false,
     "faults to simulate, comma-separated: echo, noise, silent[=N], corrupt[=N], omit=ID+ID, delay=DURATION, "
     "sleep=AFTER[/QUIET], not_kmp"},
    {"answer_delay", ConfigType::duration, "50ms", false, "time from the end of a request to the first answer byte"},
    {"pace", ConfigType::boolean, "true", false, "send answers at the line's speed (about 9 ms a byte at 1200 baud)"},
    {"seed", ConfigType::integer, "1", false, "seed of the simulated values", "", 0},
};

// FNV-1a: a serial number that stays the same for the same URL on every run.
std::uint32_t serial_from_url(std::string_view url) {
    std::uint32_t h = 2166136261u;
    for (char c : url) {
        h ^= static_cast<std::uint8_t>(c);
        h *= 16777619u;
    }
    return 10000000u + h % 90000000u;
}

std::string query_value(const TransportContext& ctx, const std::string& key) {
    const auto it = ctx.endpoint.query.find(key);
    return it == ctx.endpoint.query.end() ? std::string() : it->second;
}

bool parse_bool(const std::string& key, const std::string& text) {
    if (text == "1" || text == "true" || text == "yes" || text == "on") return true;
    if (text == "0" || text == "false" || text == "no" || text == "off") return false;
    throw std::invalid_argument("sim: '" + key + "' must be true or false, not '" + text + "'");
}

std::int64_t parse_int(const std::string& key, const std::string& text) {
    try {
        std::size_t used = 0;
        const auto v = std::stoll(text, &used);
        if (used == text.size() && v >= 0) return v;
    } catch (const std::exception&) {
    }
    throw std::invalid_argument("sim: '" + key + "' must be a whole number, not '" + text + "'");
}

}  // namespace

std::span<const ConfigKey> sim_config_keys() { return keys; }

SimTransportOptions sim_options_from(const TransportContext& ctx) {
    SimTransportOptions o;
    std::string model = ctx.endpoint.host;
    if (model.empty()) model = ctx.endpoint.path;
    while (!model.empty() && model.front() == '/') model.erase(0, 1);
    if (model.empty()) model = "multical403";
    const auto kind = kmp::model_kind_from_name(model);
    if (!kind)
        throw std::invalid_argument("sim: unknown meter model '" + model +
                                    "' (accepted: multical403, multical603, flowiq)");
    o.kind = *kind;
    o.baud = ctx.line.baud ? ctx.line.baud : 1200;

    const ConfigTable& t = ctx.options;
    o.serial = serial_from_url(ctx.endpoint.url.empty() ? model : ctx.endpoint.url);
    if (t.has("serial"))
        o.serial = static_cast<std::uint32_t>(t.get_int("serial"));
    else if (auto q = query_value(ctx, "serial"); !q.empty())
        o.serial = static_cast<std::uint32_t>(parse_int("serial", q));
    if (t.has("seed"))
        o.seed = static_cast<std::uint64_t>(t.get_int("seed"));
    else if (auto q = query_value(ctx, "seed"); !q.empty())
        o.seed = static_cast<std::uint64_t>(parse_int("seed", q));
    if (t.has("pace"))
        o.pace = t.get_bool("pace");
    else if (auto q = query_value(ctx, "pace"); !q.empty())
        o.pace = parse_bool("pace", q);

    const std::string faults = t.has("faults") ? t.get_string("faults") : query_value(ctx, "faults");
    o.faults = kmp::parse_faults(faults);  // throws std::invalid_argument naming the fault
    if (t.has("answer_delay")) {
        o.faults.answer_delay = t.get_duration("answer_delay");
    } else if (auto q = query_value(ctx, "answer_delay"); !q.empty()) {
        o.faults = kmp::parse_faults("delay=" + q, o.faults);
    }
    return o;
}

SimTransport::SimTransport(asio::any_io_executor executor, SimTransportOptions options, Logger* log)
    : options_(std::move(options)),
      model_(options_.kind, options_.serial, options_.faults, options_.seed),
      log_(log),
      timer_(executor),
      write_timer_(executor) {}

asio::awaitable<void> SimTransport::open() {
    if (!open_ && log_)
        log_->debug("simulated " + std::string(kmp::model_display_name(options_.kind)) + " serial " +
                    std::to_string(options_.serial) + " connected");
    open_ = true;
    co_return;
}

asio::awaitable<void> SimTransport::write(std::span<const std::uint8_t> bytes) {
    if (!open_) throw std::system_error(std::make_error_code(std::errc::not_connected), "sim: not open");
    const auto start = steady_clock::now();
    const auto sent = start + (options_.pace ? kmp::wire_time(bytes.size(), options_.baud) : steady_clock::duration(0));
    for (const auto& request : splitter_.feed(bytes)) {
        const auto reply = model_.respond(request, Clock::now());
        // The head echoes while the request goes out; the meter answers after the request's
        // last byte plus its answer delay, one byte time per byte.
        for (std::size_t k = 0; k < reply.echo.size(); ++k)
            incoming_.push_back({options_.pace ? start + kmp::wire_time(k + 1, options_.baud) : start, reply.echo[k]});
        const auto answer_start = std::max(sent + reply.delay, line_free_);
        for (std::size_t k = 0; k < reply.answer.size(); ++k) {
            const auto at = options_.pace ? answer_start + kmp::wire_time(k + 1, options_.baud) : answer_start;
            incoming_.push_back({at, reply.answer[k]});
            line_free_ = at;
        }
    }
    std::stable_sort(incoming_.begin(), incoming_.end(),
                     [](const PendingByte& a, const PendingByte& b) { return a.at < b.at; });
    timer_.cancel();  // a reader re-checks what is due
    if (options_.pace && sent > steady_clock::now()) {
        // Writing takes the request's time on the wire.
        writing_ = true;
        write_cancel_requested_ = false;
        write_timer_.expires_at(sent);
        boost::system::error_code ec;
        co_await write_timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        writing_ = false;
        if (write_cancel_requested_ || !open_) {
            write_cancel_requested_ = false;
            throw std::system_error(std::error_code(asio::error::operation_aborted, std::system_category()),
                                    open_ ? "sim: cancelled" : "sim: closed");
        }
    }
}

asio::awaitable<std::size_t> SimTransport::read_some(std::span<std::uint8_t> buffer) {
    if (!open_) throw std::system_error(std::make_error_code(std::errc::not_connected), "sim: not open");
    reading_ = true;
    cancel_requested_ = false;
    for (;;) {
        const auto now = steady_clock::now();
        std::size_t n = 0;
        while (n < buffer.size() && !incoming_.empty() && incoming_.front().at <= now) {
            buffer[n++] = incoming_.front().value;
            incoming_.pop_front();
        }
        if (n > 0 || buffer.empty()) {
            reading_ = false;
            co_return n;
        }
        timer_.expires_at(incoming_.empty() ? SteadyTime::max() : incoming_.front().at);
        boost::system::error_code ec;
        co_await timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        if (cancel_requested_ || !open_) {
            reading_ = false;
            cancel_requested_ = false;
            throw std::system_error(std::error_code(asio::error::operation_aborted, std::system_category()),
                                    open_ ? "sim: cancelled" : "sim: closed");
        }
    }
}

void SimTransport::cancel() {
    if (reading_) cancel_requested_ = true;
    if (writing_) write_cancel_requested_ = true;
    timer_.cancel();
    write_timer_.cancel();
}

void SimTransport::close() {
    open_ = false;
    incoming_.clear();
    splitter_ = {};
    timer_.cancel();
    write_timer_.cancel();
}

}  // namespace kamgw::sim
