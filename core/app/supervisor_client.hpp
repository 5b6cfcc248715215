// The Home Assistant Supervisor's REST API as an add-on sees it (http://supervisor, the add-on's
// SUPERVISOR_TOKEN as bearer token). Only what the add-on's start needs.
#pragma once

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

namespace kamgw::app {

struct SupervisorError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// GET base_url + path; the answer's JSON when the Supervisor says {"result": "ok"}. Throws
// SupervisorError with what went wrong (never the token).
nlohmann::json supervisor_get(const std::string& base_url, const std::string& path, const std::string& token);

}  // namespace kamgw::app
