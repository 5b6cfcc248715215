#include <iostream>

#include "core/app/commands.hpp"

namespace kamgw::app {

int cmd_scan(int, char**) {
    std::cerr << "kamgw scan: not built yet\n";
    return EX_SOFTWARE;
}

}  // namespace kamgw::app
