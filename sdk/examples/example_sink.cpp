// An example kamgw sink: appends one line per reading to a text file,
//
//   2026-11-25T14:03:07Z house heat_energy=1917.57 kWh
//
// It shows the whole contract: a config schema, a pure formatting function, start/write/
// reopen/stop, and WriteResult::retry when the file cannot be written (kamgw then keeps the
// readings and calls write() again later).
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>

#include "kamgw/kamgw.hpp"

namespace {

// Pure: reading in, text out. Test this without any file or kamgw process.
std::string format_line(const kamgw::ReadingBatch& batch, const kamgw::Reading& reading) {
    using namespace std::chrono;
    const auto secs = floor<seconds>(reading.time);
    const auto days = floor<std::chrono::days>(secs);
    const year_month_day date{days};
    const hh_mm_ss time{secs - days};
    char stamp[32];
    std::snprintf(stamp, sizeof stamp, "%04d-%02u-%02uT%02ld:%02ld:%02ldZ", static_cast<int>(date.year()),
                  static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                  static_cast<long>(time.hours().count()), static_cast<long>(time.minutes().count()),
                  static_cast<long>(time.seconds().count()));
    std::string line = std::string(stamp) + " " + batch.meter.name + " " + reading.key + "=";
    line += reading.quality == kamgw::Quality::error ? "?" : reading.value.to_string();
    if (!reading.unit_symbol().empty()) line += " " + std::string(reading.unit_symbol());
    return line + "\n";
}

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

constexpr kamgw::ConfigKey config_keys[] = {
    {.key = "path", .type = kamgw::ConfigType::path, .required = true, .doc = "text file to append readings to"},
};

const kamgw::PluginDescriptor descriptor = {
    .name = "example",
    .kind = kamgw::PluginKind::sink,
    .version = "1.0.0",
    .summary = "example: one line of text per reading",
    .config = config_keys,
    .make_sink = [] { return std::unique_ptr<kamgw::Sink>(new ExampleSink); },
};

}  // namespace

KAMGW_PLUGIN(descriptor)
