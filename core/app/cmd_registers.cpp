#include <iostream>

#include "core/app/commands.hpp"

namespace kamgw::app {

int cmd_registers(int, char**) {
    std::cerr << "kamgw registers: not built yet\n";
    return EX_SOFTWARE;
}

}  // namespace kamgw::app
