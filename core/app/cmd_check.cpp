#include <iostream>

#include "core/app/commands.hpp"

namespace kamgw::app {

int cmd_check(int, char**) {
    std::cerr << "kamgw check: not built yet\n";
    return EX_SOFTWARE;
}

}  // namespace kamgw::app
