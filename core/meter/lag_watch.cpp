#include "core/meter/lag_watch.hpp"

#include <algorithm>

namespace kamgw::meter {

using std::chrono::milliseconds;

LagWatch::LagWatch(milliseconds interval) : tolerance_(std::max(milliseconds(2000), interval / 10)) {}

LagWatch::Change LagWatch::observe(milliseconds lag) {
    if (!behind_ && lag > tolerance_) {
        behind_ = true;
        return Change::fell_behind;
    }
    if (behind_ && lag <= tolerance_ / 2) {
        behind_ = false;
        return Change::caught_up;
    }
    return Change::none;
}

}  // namespace kamgw::meter
