#include <iostream>

#include "core/app/commands.hpp"

namespace kamgw::app {

int cmd_sim(int, char**) {
    std::cerr << "kamgw sim: not built yet\n";
    return EX_SOFTWARE;
}

}  // namespace kamgw::app
