#include <iostream>

#include "core/app/commands.hpp"

namespace kamgw::app {

int cmd_plugins(int, char**) {
    std::cerr << "kamgw plugins: not built yet\n";
    return EX_SOFTWARE;
}

}  // namespace kamgw::app
