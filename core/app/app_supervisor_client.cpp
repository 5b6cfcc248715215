#include <httplib.h>

#include "core/app/supervisor_client.hpp"

namespace kamgw::app {

nlohmann::json supervisor_get(const std::string& base_url, const std::string& path, const std::string& token) {
    httplib::Client client(base_url);
    client.set_connection_timeout(10);
    client.set_read_timeout(10);
    const auto answer = client.Get(path, httplib::Headers{{"Authorization", "Bearer " + token}});
    if (!answer) throw SupervisorError("GET " + base_url + path + " failed: " + httplib::to_string(answer.error()));
    nlohmann::json body = nlohmann::json::parse(answer->body, nullptr, false);
    // The Supervisor answers an error as {"result": "error", "message": "…"} with a 4xx status.
    std::string message;
    if (body.is_object() && body.contains("message") && body["message"].is_string())
        message = ": " + body["message"].get<std::string>();
    if (answer->status != 200 || !body.is_object() || body.value("result", "") != "ok")
        throw SupervisorError("GET " + base_url + path + " answered HTTP " + std::to_string(answer->status) + message);
    return body;
}

}  // namespace kamgw::app
