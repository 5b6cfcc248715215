// A SinkHost for tests that drive a sink directly: a fixed configuration table and a logger
// that keeps every line, so a test can assert on what the sink said.
#pragma once

#include <mutex>
#include <string>
#include <vector>

#include "kamgw/sink.hpp"

namespace kamgw::test {

class RecordingLogger final : public Logger {
public:
    void log(LogLevel level, std::string_view message) override {
        std::lock_guard lock(mutex_);
        lines_.push_back(std::string(level >= LogLevel::warn ? "W " : "I ") + std::string(message));
    }
    [[nodiscard]] bool enabled(LogLevel) const override { return true; }
    [[nodiscard]] std::vector<std::string> lines() const {
        std::lock_guard lock(mutex_);
        return lines_;
    }
    [[nodiscard]] std::string joined() const {
        std::string out;
        for (const auto& l : lines()) out += l + "\n";
        return out;
    }

private:
    mutable std::mutex mutex_;
    std::vector<std::string> lines_;
};

class TestSinkHost final : public SinkHost {
public:
    explicit TestSinkHost(ConfigTable config, std::filesystem::path state = "/nonexistent")
        : config_(std::move(config)), state_(std::move(state)) {}
    Logger& log() override { return logger_; }
    const ConfigTable& config() const override { return config_; }
    const std::string& instance_name() const override { return name_; }
    const std::string& gateway_id() const override { return gateway_; }
    const std::string& gateway_version() const override { return version_; }
    std::filesystem::path state_dir() const override { return state_; }
    std::vector<MeterInfo> meters() const override { return {}; }
    ReadRequestResult request_read(const std::string&) override { return ReadRequestResult::unknown_meter; }
    // These tests call idle() themselves.
    void wake(std::chrono::milliseconds) override {}

    RecordingLogger logger_;

private:
    ConfigTable config_;
    std::filesystem::path state_;
    std::string name_ = "test";
    std::string gateway_ = "test-gateway";
    std::string version_ = "0.0.0";
};

}  // namespace kamgw::test
