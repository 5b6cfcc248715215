#include "core/bus/backoff.hpp"

#include <algorithm>

namespace kamgw::bus {

Backoff::Backoff(std::chrono::milliseconds base, std::chrono::milliseconds cap, std::uint64_t seed)
    : base_(std::max(base, std::chrono::milliseconds(1))), cap_(std::max(cap, base_)), rng_(seed) {}

Backoff::Backoff(std::chrono::milliseconds base, std::chrono::milliseconds cap)
    : Backoff(base, cap, (static_cast<std::uint64_t>(std::random_device{}()) << 32) | std::random_device{}()) {}

std::chrono::milliseconds Backoff::ceiling() const {
    // Doubling stops as soon as the cap is reached, so a long outage cannot overflow the shift.
    std::int64_t limit = base_.count();
    for (std::uint32_t i = 0; i < attempt_ && limit < cap_.count(); ++i) limit *= 2;
    return std::chrono::milliseconds(std::min(limit, cap_.count()));
}

std::chrono::milliseconds Backoff::next() {
    const std::int64_t upper = ceiling().count();
    if (attempt_ < UINT32_MAX) ++attempt_;
    std::uniform_int_distribution<std::int64_t> pick(0, upper);
    return std::chrono::milliseconds(pick(rng_));
}

}  // namespace kamgw::bus
