#include "plugins/sink-influxdb/http_writer.hpp"

#include <httplib.h>

namespace kamgw::influxdb {

HttpWriter::HttpWriter(const Settings& s)
    : client_(std::make_unique<httplib::Client>(s.base_url)), target_(write_target(s)) {
    if (!client_->is_valid()) throw ConfigError("url '" + s.base_url + "' is not a usable http(s) address");
    const auto seconds = std::chrono::duration_cast<std::chrono::microseconds>(s.timeout);
    client_->set_connection_timeout(seconds);
    client_->set_read_timeout(seconds);
    client_->set_write_timeout(seconds);
    // A lane writes every few seconds while draining a backlog; one kept-alive connection
    // saves a TCP (and TLS) handshake per request. cpp-httplib reconnects when it went stale.
    client_->set_keep_alive(true);
    client_->set_compress(s.gzip);
    if (s.https) {
        if (!s.ca_file.empty()) client_->set_ca_cert_path(s.ca_file);
        client_->enable_server_certificate_verification(s.tls_verify);
    }
    if (s.api == Api::v2) {
        if (!s.token.empty()) client_->set_default_headers({{"Authorization", "Token " + s.token}});
    } else if (!s.username.empty()) {
        client_->set_basic_auth(s.username, s.password);
    }
}

HttpWriter::~HttpWriter() = default;

PostOutcome HttpWriter::post(std::string_view line_protocol) {
    PostOutcome out;
    auto res = client_->Post(target_, line_protocol.data(), line_protocol.size(), "text/plain; charset=utf-8");
    if (!res) {
        out.transport_error = httplib::to_string(res.error());
        return out;
    }
    out.status = res->status;
    out.body = res->body;
    out.retry_after = res->get_header_value("Retry-After");
    return out;
}

}  // namespace kamgw::influxdb
