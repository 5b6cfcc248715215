#include <unistd.h>

#include <cstdlib>

#include "core/base/terminal.hpp"

namespace kamgw::base {

bool stderr_is_terminal() { return ::isatty(STDERR_FILENO) == 1; }

bool colour_allowed() {
    const char* no_color = std::getenv("NO_COLOR");
    return no_color == nullptr || *no_color == '\0';
}

}  // namespace kamgw::base
