#include <iostream>

#include "core/app/commands.hpp"

namespace kamgw::app {

int cmd_decode(int, char**) {
    std::cerr << "kamgw decode: not built yet\n";
    return EX_SOFTWARE;
}

}  // namespace kamgw::app
