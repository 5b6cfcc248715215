#include <iostream>

#include "core/app/commands.hpp"

namespace kamgw::app {

int cmd_read(int, char**) {
    std::cerr << "kamgw read: not built yet\n";
    return EX_SOFTWARE;
}

}  // namespace kamgw::app
