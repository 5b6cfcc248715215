// Full-jitter exponential backoff: the n-th wait is uniform in [0, min(cap, base * 2^n)].
//
// Jitter spreads the retries of many lanes (or many gateways behind one hub) so that a hub
// coming back is not hit by all of them in the same instant; the cap keeps a long outage
// from growing the wait without bound.
#pragma once

#include <chrono>
#include <cstdint>
#include <random>

namespace kamgw::bus {

class Backoff {
public:
    // `base` and `cap` are clamped to at least 1 ms, and `cap` to at least `base`.
    Backoff(std::chrono::milliseconds base, std::chrono::milliseconds cap, std::uint64_t seed);
    // Seeded from std::random_device, for production use.
    Backoff(std::chrono::milliseconds base, std::chrono::milliseconds cap);

    // The wait before the next attempt; each call counts one more failure.
    std::chrono::milliseconds next();
    // The upper bound the next call to next() draws from.
    [[nodiscard]] std::chrono::milliseconds ceiling() const;
    // Back to the first attempt, after a success.
    void reset() { attempt_ = 0; }
    [[nodiscard]] std::uint32_t attempt() const { return attempt_; }

private:
    std::chrono::milliseconds base_;
    std::chrono::milliseconds cap_;
    std::uint32_t attempt_ = 0;
    std::mt19937_64 rng_;
};

}  // namespace kamgw::bus
