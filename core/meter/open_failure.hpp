// Why a transport could not be opened, in words that point at the right fix: running out of
// file descriptors is not a cable problem, whatever the transport made of it.
#pragma once

#include <exception>
#include <optional>
#include <string>

namespace kamgw::meter {

// For EMFILE/ENFILE (std::system_error with that code): "too many open files (…)" with the
// process limit and what to change; nullopt for any other failure.
std::optional<std::string> describe_fd_exhaustion(const std::exception& error);

}  // namespace kamgw::meter
