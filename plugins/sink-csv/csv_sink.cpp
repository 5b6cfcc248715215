// The "csv" sink plugin: appends one RFC 4180 record per reading to a file or to standard output.
#include <optional>
#include <vector>

#include "csv_format.hpp"
#include "csv_output.hpp"
#include "kamgw/kamgw.hpp"

namespace kamgw::csv {
namespace {

class CsvSink final : public Sink {
public:
    void start(SinkHost& host) override {
        host_ = &host;
        const ConfigTable& config = host.config();
        style_.line_end = config.get_string_or("line_ending", "crlf") == "lf" ? "\n" : "\r\n";
        const bool header = !config.has("header") || config.get_bool("header");
        fsync_ = parse_fsync_policy(config.get_string_or("fsync", "batch"));
        output_.emplace(config.get_string_or("path", "-"), header ? format_header(style_) : std::string(), fsync_);
        // A file that cannot be opened yet (a folder not mounted, a full disk) is not fatal:
        // write() tries again and answers "retry", so the core keeps the readings.
        std::string error;
        if (!output_->open(error)) host.log().error(error + "; will try again on the next write");
    }

    WriteResult write(std::span<const ReadingBatch> batches) override {
        std::string error;
        if (!output_->is_open() && !output_->open(error)) return WriteResult::retry(error);
        std::vector<std::string> chunks;
        if (fsync_ == FsyncPolicy::always) {
            for (const ReadingBatch& batch : batches) chunks.push_back(format_rows({&batch, 1}, style_));
        } else {
            chunks.push_back(format_rows(batches, style_));
        }
        if (!output_->append(chunks, error)) return WriteResult::retry(error);
        return WriteResult::ok();
    }

    void reopen() override {
        if (output_->is_stdout()) return;
        std::string error;
        if (!output_->open(error)) host_->log().error(error + "; will try again on the next write");
    }

    void stop() override {
        if (output_) output_->close();
    }

private:
    SinkHost* host_ = nullptr;
    CsvStyle style_;
    FsyncPolicy fsync_ = FsyncPolicy::batch;
    std::optional<CsvOutput> output_;
};

constexpr ConfigKey config_keys[] = {
    {.key = "path",
     .type = ConfigType::path,
     .default_value = "-",
     .doc = "file to append readings to (folders are created); \"-\" writes to standard output"},
    {.key = "fsync",
     .type = ConfigType::choice,
     .default_value = "batch",
     .doc = "when to force records to disk: never, once per write (batch), or after every meter poll (always)",
     .choices = "never|batch|always"},
    {.key = "header",
     .type = ConfigType::boolean,
     .default_value = "true",
     .doc = "write the header row into a new or empty file"},
    {.key = "line_ending",
     .type = ConfigType::choice,
     .default_value = "crlf",
     .doc = "record separator: crlf as RFC 4180 says, or lf",
     .choices = "crlf|lf"},
};

const PluginDescriptor descriptor = {
    .name = "csv",
    .kind = PluginKind::sink,
    .version = KAMGW_CSV_VERSION,
    .summary = "appends one CSV record (RFC 4180) per reading to a file or to standard output",
    .config = config_keys,
    .lane = {.batch_size = 64, .flush_interval = std::chrono::milliseconds(0)},
    .make_sink = [] { return std::unique_ptr<Sink>(new CsvSink); },
};

}  // namespace
}  // namespace kamgw::csv

KAMGW_PLUGIN(kamgw::csv::descriptor)
