#include "plugins/sink-influxdb/influxdb_sink.hpp"

#include "plugins/sink-influxdb/write_errors.hpp"

namespace kamgw::influxdb {

namespace {

std::string api_name(Api api) { return api == Api::v1 ? "v1" : "v2"; }

// A slice of `payload` as a payload of its own, line offsets rebased.
LinePayload sub_payload(const LinePayload& payload, std::size_t first, std::size_t count) {
    LinePayload out;
    out.text = std::string(payload.slice(first, count));
    const std::size_t base = first == 0 ? 0 : payload.line_ends[first - 1];
    for (std::size_t i = first; i < first + count && i < payload.lines(); ++i)
        out.line_ends.push_back(payload.line_ends[i] - base);
    return out;
}

}  // namespace

void InfluxdbSink::start(SinkHost& host) {
    host_ = &host;
    settings_ = parse_settings(host.config());
    if (settings_.mode == Mode::file) {
        file_ = std::make_unique<FileWriter>(settings_.path);
    } else {
        http_ = std::make_unique<HttpWriter>(settings_);
    }
    std::string what = "writing line protocol to " + describe_target(settings_);
    if (settings_.mode == Mode::http)
        what += " (api " + api_name(settings_.api) + (settings_.gzip ? ", gzip" : "") + ")";
    what += std::string(", precision ") + std::string(precision_name(settings_.format.precision)) + ", layout " +
            (settings_.format.layout == Layout::wide ? "wide" : "narrow");
    host.log().info(what);
}

void InfluxdbSink::log_dropped(const LinePayload& payload, std::size_t from) {
    for (std::size_t i = from; i < payload.dropped.size(); ++i) {
        const auto& d = payload.dropped[i];
        host_->log().warn("dropped " + (d.key.empty() ? std::string("a poll") : "reading '" + d.key + "'") +
                          " of meter '" + d.meter + "': " + d.reason);
    }
}

WriteResult InfluxdbSink::write(std::span<const ReadingBatch> batches) {
    LinePayload payload = format_lines(batches, settings_.format);
    log_dropped(payload, 0);
    if (payload.lines() == 0) return WriteResult::ok();

    if (file_) {
        const std::string err = file_->write(payload.text);
        return err.empty() ? WriteResult::ok() : WriteResult::retry(err);
    }
    WriteResult result = post(std::move(payload));
    if (result.code == WriteResult::Code::ok && failures_in_a_row_ > 0) {
        host_->log().info("InfluxDB accepts writes again after " + std::to_string(failures_in_a_row_) +
                          " failed attempt(s)");
    }
    failures_in_a_row_ = result.code == WriteResult::Code::ok ? 0 : failures_in_a_row_ + 1;
    return result;
}

// Splits the payload into requests of at most max_lines_per_request lines. A request that
// fails after earlier ones succeeded makes the lane retry all of them; InfluxDB overwrites a
// point with the same series and time, so the repeat stores nothing twice.
WriteResult InfluxdbSink::post(LinePayload payload) {
    const std::size_t max = settings_.max_lines_per_request;
    if (payload.lines() <= max) return post_request(std::move(payload));
    for (std::size_t first = 0; first < payload.lines(); first += max) {
        WriteResult r = post_request(sub_payload(payload, first, max));
        if (r.code != WriteResult::Code::ok) return r;
    }
    return WriteResult::ok();
}

WriteResult InfluxdbSink::post_request(LinePayload payload) {
    // Each round either succeeds, fails for good, or removes at least one line: it ends.
    while (payload.lines() > 0) {
        const PostOutcome outcome = http_->post(payload.text);
        if (outcome.status == 200 || outcome.status == 204) return WriteResult::ok();
        if (outcome.status == 413 && payload.lines() > 1) {
            host_->log().warn("InfluxDB refused a request of " + std::to_string(payload.lines()) +
                              " lines as too large; sending it in halves (lower max_lines_per_request)");
            const std::size_t half = payload.lines() / 2;
            WriteResult r = post_request(sub_payload(payload, 0, half));
            if (r.code != WriteResult::Code::ok) return r;
            return post_request(sub_payload(payload, half, payload.lines() - half));
        }
        if (outcome.status != 400) return failure(outcome);
        const std::vector<std::size_t> bad = bad_line_indexes(outcome.body, payload);
        if (bad.empty()) return failure(outcome);
        for (std::size_t i : bad) {
            host_->log().warn("InfluxDB could not parse a point; dropped it and writing the rest: " +
                              redact(std::string(payload.line(i))) + " (" + redact(error_text(outcome.body)) + ")");
        }
        payload = without_lines(payload, bad);
    }
    return WriteResult::ok();
}

WriteResult InfluxdbSink::failure(const PostOutcome& o) const {
    const Settings& s = settings_;
    const std::string where = "InfluxDB at " + s.base_url;
    if (o.status == 0) {
        std::string why = "cannot reach " + where + ": " + o.transport_error;
        if (s.https && o.transport_error.find("SSL") != std::string::npos)
            why += " (check ca_file, or tls_verify = false for a self-signed test server)";
        return WriteResult::retry(why);
    }
    const std::string detail = redact(error_text(o.body));
    const std::string status = "HTTP " + std::to_string(o.status) + (detail.empty() ? "" : ": " + detail);
    if (o.status == 401 || o.status == 403) {
        if (s.api == Api::v2)
            return WriteResult::retry(where + " refused the token (" + status + "); set `token` (or `token_file`) to " +
                                      "an API token allowed to write to bucket '" + s.bucket + "' of org '" + s.org +
                                      "'");
        return WriteResult::retry(
            where + " refused the credentials (" + status + "); " +
            (s.username.empty() ? std::string("it requires authentication: set `username` and "
                                              "`password` (or `password_file`)")
                                : "check `username` ('" + s.username + "') and `password` (or `password_file`)"));
    }
    if (o.status == 404) {
        if (detail.find("database not found") != std::string::npos)
            return WriteResult::retry(where + " has no database '" + s.database + "' (" + status +
                                      "); create it (CREATE DATABASE \"" + s.database + "\") or fix `database`");
        if (detail.find("bucket") != std::string::npos)
            return WriteResult::retry(where + " has no bucket '" + s.bucket + "' in org '" + s.org + "' (" + status +
                                      "); create it or fix `bucket`/`org`");
        if (s.api == Api::v2)
            return WriteResult::retry(where + " has no /api/v2/write (" + status +
                                      "); InfluxDB 1.x before 1.8 only knows /write: set api = \"v1\" and `database`");
        return WriteResult::retry(where + " has no " + write_target(s).substr(0, write_target(s).find('?')) + " (" +
                                  status + "); check the path in `url`");
    }
    if (o.status == 429 || o.status >= 500) {
        return WriteResult::retry(where + " cannot take the write now (" + status + ")" +
                                  (o.retry_after.empty() ? "" : "; it asks to retry after " + o.retry_after + " s"));
    }
    return WriteResult::reject(where + " refused the write (" + status + ")");
}

// Error bodies may echo what was sent; no secret ever reaches a log line.
std::string InfluxdbSink::redact(std::string text) const {
    for (const std::string* secret : {&settings_.token, &settings_.password}) {
        if (secret->empty()) continue;
        for (std::size_t pos = text.find(*secret); pos != std::string::npos; pos = text.find(*secret, pos + 3))
            text.replace(pos, secret->size(), "***");
    }
    return text;
}

void InfluxdbSink::reopen() {
    if (file_) file_->reopen();
}

void InfluxdbSink::stop() {
    http_.reset();
    file_.reset();
}

std::unique_ptr<Sink> make_influxdb_sink() { return std::make_unique<InfluxdbSink>(); }

}  // namespace kamgw::influxdb
