// Which device file a serial meter URL names: "/dev/serial/by-id/usb-FTDI_…-port0",
// "/dev/ttyUSB0", or the same with the scheme spelt out ("serial:///dev/ttyUSB0").
#pragma once

#include <string>

#include "kamgw/transport.hpp"

namespace kamgw::serial {

// Throws std::system_error (std::errc::invalid_argument) when no absolute path is given.
std::string device_path(const Endpoint& endpoint);

}  // namespace kamgw::serial
