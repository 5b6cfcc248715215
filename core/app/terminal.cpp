#include <unistd.h>

#include <cstdlib>

#include "core/app/terminal.hpp"

namespace kamgw::app {

bool stderr_is_terminal() { return ::isatty(STDERR_FILENO) == 1; }

bool colour_allowed() {
    const char* no_color = std::getenv("NO_COLOR");
    return no_color == nullptr || *no_color == '\0';
}

}  // namespace kamgw::app
