// The influxdb sink: formats reading batches as line protocol and writes them to InfluxDB
// (1.x /write or 2.x /api/v2/write) or appends them to a file. Buffering, batching, retries
// and backoff belong to the core's lane; write() answers ok, retry or reject.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>

#include "kamgw/sink.hpp"
#include "plugins/sink-influxdb/file_writer.hpp"
#include "plugins/sink-influxdb/http_writer.hpp"
#include "plugins/sink-influxdb/line_protocol.hpp"
#include "plugins/sink-influxdb/settings.hpp"

namespace kamgw::influxdb {

class InfluxdbSink final : public Sink {
public:
    void start(SinkHost& host) override;
    WriteResult write(std::span<const ReadingBatch> batches) override;
    void reopen() override;
    void stop() override;

private:
    WriteResult post(LinePayload payload);
    WriteResult post_request(LinePayload payload);
    WriteResult failure(const PostOutcome& outcome) const;
    std::string redact(std::string text) const;
    void log_dropped(const LinePayload& payload, std::size_t from);

    SinkHost* host_ = nullptr;
    Settings settings_;
    std::unique_ptr<HttpWriter> http_;
    std::unique_ptr<FileWriter> file_;
    std::size_t failures_in_a_row_ = 0;
};

std::unique_ptr<Sink> make_influxdb_sink();

}  // namespace kamgw::influxdb
