// Falling behind: a poll that starts later than its interval allows (too many meters on one
// line, polls slower than their interval, a starved CPU) is worth one warning per episode, not
// one per poll, and a gauge with the lag.
#pragma once

#include <chrono>
#include <cstdint>

namespace kamgw::meter {

class LagWatch {
public:
    enum class Change : std::uint8_t { none, fell_behind, caught_up };

    // A poll is late when it starts more than max(2 s, interval / 10) after it was due; the
    // episode ends when one starts within half of that again, so a lag that hovers around the
    // bound does not warn every other poll.
    explicit LagWatch(std::chrono::milliseconds interval);

    Change observe(std::chrono::milliseconds lag);
    [[nodiscard]] bool behind() const { return behind_; }
    [[nodiscard]] std::chrono::milliseconds tolerance() const { return tolerance_; }

private:
    std::chrono::milliseconds tolerance_;
    bool behind_ = false;
};

}  // namespace kamgw::meter
