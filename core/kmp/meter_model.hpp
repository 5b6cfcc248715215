// The meter side of KMP: a simulated MULTICAL 403 / 603 heat meter or flowIQ water meter.
//
// The model answers real KMP request frames with real KMP response bytes, so everything
// between a transport and the register catalogue can be exercised without hardware: the
// sim transport plugin, `kamgw sim` (pty / TCP) and the unit tests all drive this class.
// Values move with (simulated) time: energy integrates power, volume integrates flow,
// temperatures drift, the hour counter counts. Faults reproduce what users see in the field
// (echoing heads, a sleeping optical port, line noise, omitted registers, non-KMP meters).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/kmp/commands.hpp"
#include "kamgw/reading.hpp"

namespace kamgw::kmp {

enum class ModelKind : std::uint8_t { multical403, multical603, flowiq };

// "multical403" / "mc403" / "403", "multical603" / "mc603" / "603", "flowiq".
std::optional<ModelKind> model_kind_from_name(std::string_view name);
std::string_view model_kind_name(ModelKind kind);     // "multical403"
std::string_view model_display_name(ModelKind kind);  // "MULTICAL 403"

// The GetType meter-type codes the simulator answers with. Kamstrup does not publish the
// codes of current meters, so these are kamgw's own and never collide with the documented
// MULTICAL 601 codes (0x0001..0x0005).
inline constexpr std::uint16_t sim_type_multical403 = 0x5A03;
inline constexpr std::uint16_t sim_type_multical603 = 0x5A06;
inline constexpr std::uint16_t sim_type_flowiq = 0x5A21;

struct Faults {
    bool echo = false;                           // the request comes back before the answer
    bool noise = false;                          // garbage and stray 0x00 before each answer
    bool silent = false;                         // never answers
    std::uint32_t silent_answers = 0;            // ignores the next N requests, then answers
    bool corrupt = false;                        // every answer has a flipped data bit (bad CRC)
    std::uint32_t corrupt_answers = 0;           // the next N answers are corrupt, then clean ones
    std::vector<std::uint16_t> omitted;          // registers left out of GetRegister answers
    std::chrono::milliseconds answer_delay{50};  // last request byte -> first answer byte
    // The optical port goes to sleep `sleep_after` after it woke up (0: never) and wakes
    // again only after `wake_after_quiet` without any request.
    std::chrono::milliseconds sleep_after{0};
    std::chrono::milliseconds wake_after_quiet{std::chrono::seconds(60)};
    bool not_kmp = false;  // answers every request with IEC 1107-style text (e.g. MULTICAL 66C)
};

// Parses a fault list such as "echo,noise,omit=63+80,silent=2,corrupt=1,sleep=10m/30s,not_kmp".
// Durations take ms, s, m/min, h. Throws std::invalid_argument naming the bad item.
Faults parse_faults(std::string_view text, Faults base = {});
std::string describe_faults(const Faults& faults);  // the same syntax back, "" for none

// Time on the wire for `bytes` characters of 11 bits (start, 8 data, 2 stop) at `baud`.
std::chrono::nanoseconds wire_time(std::size_t bytes, unsigned baud = 1200, unsigned bits_per_byte = 11);

// Splits the byte stream a meter receives into request frames (0x80 .. 0x0D); anything
// before a start byte is dropped, as a meter does.
class RequestSplitter {
public:
    // Appends the bytes and returns every request frame they completed, start and stop included.
    std::vector<std::vector<std::uint8_t>> feed(std::span<const std::uint8_t> bytes);

private:
    std::vector<std::uint8_t> current_;
    bool in_frame_ = false;
};

class MeterModel {
public:
    // What the meter puts on the line for one request: the echo (if the head echoes) goes
    // out at once, the answer after `delay`. An empty answer means the meter stays silent.
    struct Reply {
        std::vector<std::uint8_t> echo;
        std::chrono::milliseconds delay{0};
        std::vector<std::uint8_t> answer;
        [[nodiscard]] std::vector<std::uint8_t> wire() const;  // echo + answer
    };

    MeterModel(ModelKind kind, std::uint32_t serial, Faults faults, std::uint64_t seed, TimePoint start = Clock::now());

    // One complete request frame in, the full wire reply out (echo, noise and answer).
    std::vector<std::uint8_t> handle(std::span<const std::uint8_t> request_bytes, TimePoint now);
    // The same, split into echo / delay / answer for servers that pace their output.
    Reply respond(std::span<const std::uint8_t> request_bytes, TimePoint now);

    [[nodiscard]] std::chrono::milliseconds answer_delay() const { return faults_.answer_delay; }
    [[nodiscard]] ModelKind kind() const { return kind_; }
    [[nodiscard]] std::uint32_t serial() const { return serial_; }
    [[nodiscard]] const Faults& faults() const { return faults_; }
    void set_faults(Faults faults) { faults_ = std::move(faults); }
    [[nodiscard]] bool asleep() const { return asleep_; }

    // The register ids this meter has (before omissions), in catalogue order.
    [[nodiscard]] std::vector<std::uint16_t> register_ids() const;
    // The value a register would be answered with at `now` (advances the simulation).
    std::optional<RegisterValue> register_value(std::uint16_t id, TimePoint now);

    struct Stats {
        std::uint64_t requests = 0;
        std::uint64_t answered = 0;
        std::uint64_t ignored = 0;  // silent, asleep, invalid or not for this meter
    };
    [[nodiscard]] const Stats& stats() const { return stats_; }

private:
    struct Format {
        std::uint8_t unit;
        std::uint8_t nob;
        std::int8_t exponent;  // power of ten of the last digit
    };
    struct Extremes {
        double min_flow = 1e18, max_flow = -1, min_power = 1e18, max_power = -1;
        std::uint32_t min_flow_date = 0, max_flow_date = 0, min_power_date = 0, max_power_date = 0;
        double t1_sum = 0, t2_sum = 0, hours = 0;
    };

    void advance(TimePoint now);
    void step(double hours, TimePoint at);
    std::optional<double> raw_value(std::uint16_t id, TimePoint now) const;
    std::optional<Format> format_of(std::uint16_t id) const;
    std::vector<std::uint8_t> answer_for(const Frame& request, TimePoint now);
    std::vector<std::uint8_t> encode_answer(const Frame& frame);
    std::vector<std::uint8_t> noise_bytes();
    static std::vector<std::uint8_t> not_kmp_text();

    ModelKind kind_;
    std::uint32_t serial_;
    Faults faults_;
    std::mt19937_64 rng_;
    TimePoint sim_time_;
    std::chrono::seconds clock_offset_{0};  // set by SetClock

    // Physical state.
    double energy_mwh_ = 0, cooling_mwh_ = 0, volume_m3_ = 0, hours_ = 0, error_hours_ = 0;
    double t1_ = 60, t2_ = 40, flow_lh_ = 0, power_kw_ = 0, e8_ = 0, e9_ = 0;
    double t1_bias_ = 0, heat_demand_ = 1;
    std::uint32_t info_ = 0, info_counter_ = 0;
    Extremes month_, year_;
    int month_key_ = -1, year_key_ = -1;

    // Optical port.
    bool asleep_ = false;
    std::optional<TimePoint> awake_since_;
    std::optional<TimePoint> last_request_;
    Stats stats_;
};

}  // namespace kamgw::kmp
