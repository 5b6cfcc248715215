// One InfluxDB write endpoint over HTTP(S): posts line protocol and reports what came back.
// It knows nothing about retries; the sink decides what an answer means.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "plugins/sink-influxdb/settings.hpp"

namespace httplib {
class Client;
}

namespace kamgw::influxdb {

struct PostOutcome {
    int status = 0;               // HTTP status, 0 when no answer came (connection, timeout, TLS)
    std::string body;             // the answer's body (error details)
    std::string transport_error;  // set when status == 0
    std::string retry_after;      // the Retry-After header of a 429/503, if any
};

class HttpWriter {
public:
    explicit HttpWriter(const Settings& settings);
    ~HttpWriter();
    HttpWriter(const HttpWriter&) = delete;
    HttpWriter& operator=(const HttpWriter&) = delete;

    PostOutcome post(std::string_view line_protocol);

private:
    std::unique_ptr<httplib::Client> client_;
    std::string target_;
};

}  // namespace kamgw::influxdb
