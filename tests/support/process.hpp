// Child processes for tests: real services (mosquitto, influxd, ser2net) and the kamgw
// binary itself, started on loopback with their output in a file, and always stopped.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace kamgw::test {

class ChildProcess {
public:
    ChildProcess() = default;
    // Starts `argv[0]` (searched in PATH) with stdout and stderr appended to `log_file`.
    ChildProcess(std::vector<std::string> argv, std::filesystem::path log_file,
                 std::map<std::string, std::string> extra_env = {});
    ChildProcess(ChildProcess&&) noexcept;
    ChildProcess& operator=(ChildProcess&&) noexcept;
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;
    ~ChildProcess();  // SIGTERM, then SIGKILL after 5 s

    void start();
    // Sends `signal` and waits up to `timeout` for the exit; returns the wait status or -1.
    int stop(int signal = 15, std::chrono::milliseconds timeout = std::chrono::seconds(5));
    void kill_hard();  // SIGKILL and reap
    void send_signal(int signal) const;
    [[nodiscard]] bool running();
    // Waits for the process to exit on its own; returns the exit code, or -1 on timeout/signal.
    int wait_exit(std::chrono::milliseconds timeout);
    [[nodiscard]] pid_t pid() const { return pid_; }
    [[nodiscard]] std::string log() const;  // what it printed so far
    [[nodiscard]] const std::filesystem::path& log_file() const { return log_file_; }

private:
    std::vector<std::string> argv_;
    std::filesystem::path log_file_;
    std::map<std::string, std::string> extra_env_;
    pid_t pid_ = -1;
    int status_ = 0;
};

// Runs a command to completion and returns {exit code, combined output}.
struct CommandResult {
    int exit_code = -1;
    std::string output;
};
CommandResult run_command(const std::vector<std::string>& argv,
                          std::chrono::milliseconds timeout = std::chrono::seconds(60),
                          const std::string& stdin_text = {});

// Polls `predicate` every 20 ms until it is true or `timeout` passes.
template <typename Predicate>
bool wait_until(Predicate predicate, std::chrono::milliseconds timeout) {
    const auto end = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < end) {
        if (predicate()) return true;
        struct timespec ts {
            0, 20'000'000
        };
        nanosleep(&ts, nullptr);
    }
    return predicate();
}

// The environment variable, or a failed assertion naming it.
std::string required_env(const char* name);
std::filesystem::path kamgw_binary();  // $KAMGW_BINARY
std::filesystem::path plugin_dir();    // $KAMGW_PLUGIN_DIR
std::filesystem::path source_dir();    // $KAMGW_SOURCE_DIR

}  // namespace kamgw::test
