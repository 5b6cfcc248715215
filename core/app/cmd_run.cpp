#include <iostream>

#include "core/app/commands.hpp"

namespace kamgw::app {

int cmd_run(int, char**) {
    std::cerr << "kamgw run: not built yet\n";
    return EX_SOFTWARE;
}

}  // namespace kamgw::app
