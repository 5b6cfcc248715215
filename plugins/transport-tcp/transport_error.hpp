// How transport plugins report failures: always as std::system_error, so the core can tell
// a cancel (std::errc::operation_canceled, the value of boost::asio::error::operation_aborted)
// from a broken link, and the text says what to check.
#pragma once

#include <boost/asio/error.hpp>
#include <boost/system/error_code.hpp>
#include <string>
#include <system_error>

namespace kamgw::transport {

// Asio reports operating-system errors in Boost's system category. Those become plain
// std::system_category() codes (same errno value), which compare correctly in every
// module; a std_category wrapper would be a different object in each plugin.
inline std::error_code to_std_error(const boost::system::error_code& ec) {
    if (ec.category() == boost::system::system_category() || ec.category() == boost::system::generic_category()) {
        return {ec.value(), std::system_category()};
    }
    return static_cast<std::error_code>(ec);
}

[[noreturn]] inline void throw_error(const boost::system::error_code& ec, const std::string& what) {
    throw std::system_error(to_std_error(ec), what);
}

[[noreturn]] inline void throw_errno(int error_number, const std::string& what) {
    throw std::system_error(error_number, std::system_category(), what);
}

inline bool is_cancel(const boost::system::error_code& ec) { return ec == boost::asio::error::operation_aborted; }

}  // namespace kamgw::transport
