#include "plugins/transport-serial/device_path.hpp"

#include <string_view>
#include <system_error>

namespace kamgw::serial {

std::string device_path(const Endpoint& endpoint) {
    std::string path = endpoint.path;
    if (path.empty()) {
        std::string_view url = endpoint.url;
        if (const auto q = url.find('?'); q != std::string_view::npos) url = url.substr(0, q);
        constexpr std::string_view prefix = "serial://";
        if (url.substr(0, prefix.size()) == prefix) url.remove_prefix(prefix.size());
        path = std::string(url);
    }
    if (path.empty() || path.front() != '/') {
        throw std::system_error(std::make_error_code(std::errc::invalid_argument),
                                "meter URL '" + endpoint.url +
                                    "' names no device file; give an absolute path such as "
                                    "/dev/serial/by-id/usb-FTDI_…-port0 or serial:///dev/ttyUSB0");
    }
    return path;
}

}  // namespace kamgw::serial
