// Asks Home Assistant which release it runs: GET <ha_url>/api/config with the token, whose
// answer carries "version" (homeassistant/components/api/__init__.py, APIConfigView).
#pragma once

#include <chrono>
#include <string>

#include "kamgw/home_assistant.hpp"

namespace kamgw::mqtt_ha {

struct ReleaseAnswer {
    HaRelease release;    // known() when Home Assistant answered with a usable version
    std::string version;  // as Home Assistant wrote it, e.g. "2025.11.1"
    std::string error;    // why not, in a sentence without the token
};

ReleaseAnswer ask_ha_release(const std::string& url, const std::string& token, const std::string& ca_file,
                             std::chrono::milliseconds timeout);

}  // namespace kamgw::mqtt_ha
