// An example kamgw sink: appends one line per reading to a text file,
//
//   2026-11-25T14:03:07Z house heat_energy=1917.57 kWh
//
// It shows the whole contract: a pure formatting function, start/write/reopen/stop, and
// WriteResult::retry when the file cannot be written (kamgw then keeps the readings and calls
// write() again later). The schema and the plugin's entry points are in plugin.cpp.
#include "example_sink.hpp"

#include <fstream>

#include "kamgw/reading_json.hpp"

namespace example {

std::string format_line(const kamgw::ReadingBatch& batch, const kamgw::Reading& reading) {
    std::string line = kamgw::utc_text(reading.time) + " " + batch.meter.name + " " + reading.key + "=";
    line += reading.quality == kamgw::Quality::error ? "?" : reading.value.to_string();
    if (!reading.unit_symbol().empty()) line += " " + std::string(reading.unit_symbol());
    return line + "\n";
}

namespace {

class ExampleSink final : public kamgw::Sink {
public:
    void start(kamgw::SinkHost& host) override {
        host_ = &host;
        path_ = host.config().get_string("path");  // required in the schema, so always set
        open();
    }

    kamgw::WriteResult write(std::span<const kamgw::ReadingBatch> batches) override {
        if (!file_.is_open() && !open()) return kamgw::WriteResult::retry("cannot open " + path_);
        std::string text;
        for (const auto& batch : batches)
            for (const auto& reading : batch.readings) text += format_line(batch, reading);
        file_ << text << std::flush;
        if (!file_) {
            file_.close();  // reopened on the next write
            return kamgw::WriteResult::retry("cannot write to " + path_);
        }
        return kamgw::WriteResult::ok();
    }

    void reopen() override {  // SIGHUP, e.g. after logrotate moved the file away
        file_.close();
        open();
    }

    void stop() override { file_.close(); }

private:
    bool open() {
        file_.clear();
        file_.open(path_, std::ios::app);
        if (!file_.is_open()) host_->log().error("cannot open " + path_ + " for appending");
        return file_.is_open();
    }

    kamgw::SinkHost* host_ = nullptr;
    std::string path_;
    std::ofstream file_;
};

}  // namespace

std::unique_ptr<kamgw::Sink> make_sink() { return std::make_unique<ExampleSink>(); }

}  // namespace example
