#include "core/base/logging.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <unistd.h>

#include <mutex>
#include <optional>

#include "core/base/terminal.hpp"
#include "core/config/redact.hpp"

namespace kamgw::base {
namespace {

// Every line passes here on its way out, from the core and from plugins alike, so a library
// that puts a URL with a password into its error message cannot leak it into the journal.
class RedactingSink final : public spdlog::sinks::sink {
public:
    explicit RedactingSink(std::shared_ptr<spdlog::sinks::sink> inner) : inner_(std::move(inner)) {}
    void log(const spdlog::details::log_msg& msg) override {
        const std::string clean = config::redact_text(std::string_view(msg.payload.data(), msg.payload.size()));
        spdlog::details::log_msg copy(msg);
        copy.payload = spdlog::string_view_t(clean.data(), clean.size());
        inner_->log(copy);
    }
    void flush() override { inner_->flush(); }
    void set_pattern(const std::string& pattern) override { inner_->set_pattern(pattern); }
    void set_formatter(std::unique_ptr<spdlog::formatter> formatter) override {
        inner_->set_formatter(std::move(formatter));
    }

private:
    std::shared_ptr<spdlog::sinks::sink> inner_;
};

std::shared_ptr<spdlog::sinks::sink> shared_sink() {
    static auto sink = std::make_shared<RedactingSink>(std::make_shared<spdlog::sinks::stderr_color_sink_mt>(
        colour_allowed() ? spdlog::color_mode::automatic : spdlog::color_mode::never));
    return sink;
}

std::optional<spdlog::level::level_enum> parse_level(std::string_view level) {
    if (level == "trace") return spdlog::level::trace;
    if (level == "debug") return spdlog::level::debug;
    if (level == "info") return spdlog::level::info;
    if (level == "warn" || level == "warning") return spdlog::level::warn;
    if (level == "error") return spdlog::level::err;
    return std::nullopt;
}

spdlog::level::level_enum to_spdlog(LogLevel level) {
    switch (level) {
        case LogLevel::trace:
            return spdlog::level::trace;
        case LogLevel::debug:
            return spdlog::level::debug;
        case LogLevel::info:
            return spdlog::level::info;
        case LogLevel::warn:
            return spdlog::level::warn;
        case LogLevel::error:
            return spdlog::level::err;
    }
    return spdlog::level::info;
}

}  // namespace

bool init_logging(std::string_view level, bool journal_style) {
    auto parsed = parse_level(level);
    if (!parsed) return false;
    auto logger = std::make_shared<spdlog::logger>("kamgw", shared_sink());
    // Under systemd the journal stamps time and process; on a terminal the time helps.
    logger->set_pattern(journal_style ? "%^%l%$ %n: %v" : "%Y-%m-%d %H:%M:%S.%e %^%l%$ %n: %v");
    logger->set_level(*parsed);
    logger->flush_on(spdlog::level::info);
    spdlog::set_default_logger(logger);
    return true;
}

bool set_log_level(std::string_view level) {
    auto parsed = parse_level(level);
    if (!parsed) return false;
    spdlog::default_logger()->set_level(*parsed);
    spdlog::apply_all([&](const std::shared_ptr<spdlog::logger>& l) { l->set_level(*parsed); });
    return true;
}

std::shared_ptr<spdlog::logger> make_logger(const std::string& name) {
    static std::mutex mutex;
    std::lock_guard lock(mutex);
    if (auto existing = spdlog::get(name)) return existing;
    auto parent = spdlog::default_logger();
    auto logger = std::make_shared<spdlog::logger>(name, parent->sinks().begin(), parent->sinks().end());
    logger->set_level(parent->level());
    logger->flush_on(spdlog::level::info);
    spdlog::register_logger(logger);
    return logger;
}

void PluginLogger::log(LogLevel level, std::string_view message) { logger_->log(to_spdlog(level), "{}", message); }

bool PluginLogger::enabled(LogLevel level) const { return logger_->should_log(to_spdlog(level)); }

}  // namespace kamgw::base
