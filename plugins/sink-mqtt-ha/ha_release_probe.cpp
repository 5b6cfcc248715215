#include "plugins/sink-mqtt-ha/ha_release_probe.hpp"

#include <httplib.h>

#include <nlohmann/json.hpp>

namespace kamgw::mqtt_ha {

ReleaseAnswer ask_ha_release(const std::string& url, const std::string& token, const std::string& ca_file,
                             std::chrono::milliseconds timeout) {
    ReleaseAnswer answer;
    // http://host:8123/prefix: cpp-httplib takes the scheme, host and port; the path goes on the request.
    const auto scheme_end = url.find("://");
    const auto path_start = scheme_end == std::string::npos ? std::string::npos : url.find('/', scheme_end + 3);
    const std::string origin = url.substr(0, path_start);
    std::string prefix = path_start == std::string::npos ? "" : url.substr(path_start);
    while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();

    httplib::Client client(origin);
    if (!client.is_valid()) {
        answer.error = "'" + url + "' is not a usable http(s) address";
        return answer;
    }
    const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(timeout);
    client.set_connection_timeout(micros);
    client.set_read_timeout(micros);
    client.set_write_timeout(micros);
    if (url.starts_with("https://") && !ca_file.empty()) client.set_ca_cert_path(ca_file);
    const auto res = client.Get(prefix + "/api/config", {{"Authorization", "Bearer " + token}});
    if (!res) {
        answer.error = "no answer from " + url + ": " + httplib::to_string(res.error());
        return answer;
    }
    if (res->status == 401) {
        answer.error = url + " refused ha_token (401)";
        return answer;
    }
    if (res->status != 200) {
        answer.error = url + "/api/config answered HTTP " + std::to_string(res->status);
        return answer;
    }
    const auto body = nlohmann::json::parse(res->body, nullptr, false);
    if (!body.is_object() || !body.contains("version") || !body["version"].is_string()) {
        answer.error = url + "/api/config answered without a version: is it Home Assistant?";
        return answer;
    }
    answer.version = body["version"].get<std::string>();
    answer.release = ha_release(answer.version);
    if (!answer.release.known()) answer.error = "Home Assistant's version '" + answer.version + "' is not YYYY.M[.P]";
    return answer;
}

}  // namespace kamgw::mqtt_ha
