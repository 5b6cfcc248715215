// What the user's terminal wants: progress only where a human watches, colour only where it
// is welcome (https://no-color.org: a non-empty NO_COLOR turns it off).
#pragma once

namespace kamgw::base {

[[nodiscard]] bool stderr_is_terminal();
[[nodiscard]] bool colour_allowed();

}  // namespace kamgw::base
