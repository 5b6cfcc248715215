#include "tests/support/process.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <stdexcept>

#include "tests/support/temp_dir.hpp"

extern char** environ;

namespace kamgw::test {
namespace {

[[noreturn]] void exec_child(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env) {
    for (const auto& [k, v] : env) ::setenv(k.c_str(), v.c_str(), 1);
    // Only stdin, stdout and stderr go to the child. Sockets of in-process fakes (Asio opens
    // them without CLOEXEC) would otherwise live on in the child: a fake's listening socket
    // kept by a kamgw child stops the fake from listening again on its port after a restart.
    ::close_range(3, ~0U, 0);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    ::_exit(127);
}

}  // namespace

ChildProcess::ChildProcess(std::vector<std::string> argv, std::filesystem::path log_file,
                           std::map<std::string, std::string> extra_env)
    : argv_(std::move(argv)), log_file_(std::move(log_file)), extra_env_(std::move(extra_env)) {
    start();
}

ChildProcess::ChildProcess(ChildProcess&& o) noexcept { *this = std::move(o); }

ChildProcess& ChildProcess::operator=(ChildProcess&& o) noexcept {
    if (this != &o) {
        if (pid_ > 0) stop();
        argv_ = std::move(o.argv_);
        log_file_ = std::move(o.log_file_);
        extra_env_ = std::move(o.extra_env_);
        pid_ = o.pid_;
        status_ = o.status_;
        o.pid_ = -1;
    }
    return *this;
}

ChildProcess::~ChildProcess() {
    if (pid_ > 0) stop();
}

void ChildProcess::start() {
    if (pid_ > 0) throw std::logic_error("process already running");
    const int fd = ::open(log_file_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) throw std::runtime_error("cannot open " + log_file_.string());
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
        ::setpgid(0, 0);  // own process group: a test's kill never reaches the test runner
        ::dup2(fd, 1);
        ::dup2(fd, 2);
        const int devnull = ::open("/dev/null", O_RDONLY);
        ::dup2(devnull, 0);
        exec_child(argv_, extra_env_);
    }
    ::close(fd);
}

void ChildProcess::send_signal(int signal) const {
    if (pid_ > 0) ::kill(pid_, signal);
}

bool ChildProcess::running() {
    if (pid_ <= 0) return false;
    const pid_t r = ::waitpid(pid_, &status_, WNOHANG);
    if (r == pid_) {
        pid_ = -1;
        return false;
    }
    return true;
}

int ChildProcess::wait_exit(std::chrono::milliseconds timeout) {
    if (!wait_until([&] { return !running(); }, timeout)) return -1;
    return WIFEXITED(status_) ? WEXITSTATUS(status_) : -1;
}

int ChildProcess::stop(int signal, std::chrono::milliseconds timeout) {
    if (pid_ <= 0) return status_;
    ::kill(pid_, signal);
    if (!wait_until([&] { return !running(); }, timeout)) kill_hard();
    return status_;
}

void ChildProcess::kill_hard() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, &status_, 0);
    pid_ = -1;
}

std::string ChildProcess::log() const { return read_file(log_file_); }

CommandResult run_command(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
                          const std::string& stdin_text) {
    int out_pipe[2], in_pipe[2];
    if (::pipe2(out_pipe, O_CLOEXEC) != 0 || ::pipe2(in_pipe, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
    const pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
        ::dup2(out_pipe[1], 1);
        ::dup2(out_pipe[1], 2);
        ::dup2(in_pipe[0], 0);
        exec_child(argv, {});
    }
    ::close(out_pipe[1]);
    ::close(in_pipe[0]);
    if (!stdin_text.empty()) {
        [[maybe_unused]] auto n = ::write(in_pipe[1], stdin_text.data(), stdin_text.size());
    }
    ::close(in_pipe[1]);
    CommandResult result;
    const auto end = std::chrono::steady_clock::now() + timeout;
    char buf[4096];
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            ::kill(pid, SIGKILL);
            break;
        }
        pollfd p{out_pipe[0], POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
        const ssize_t n = ::read(out_pipe[0], buf, sizeof buf);
        if (n <= 0) break;
        result.output.append(buf, static_cast<std::size_t>(n));
    }
    ::close(out_pipe[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return result;
}

std::string required_env(const char* name) {
    const char* v = std::getenv(name);
    if (!v || !*v)
        throw std::runtime_error(std::string("environment variable ") + name + " is not set (run through ctest)");
    return v;
}

namespace {

// Test executables are built into <build>/bin beside kamgw (CMAKE_RUNTIME_OUTPUT_DIRECTORY), so the
// build tree is found from the running executable; environment variables override it.
std::filesystem::path build_dir() {
    if (const char* v = std::getenv("KAMGW_BUILD_DIR"); v && *v) return v;
    return std::filesystem::read_symlink("/proc/self/exe").parent_path().parent_path();
}

std::filesystem::path from_env_or(const char* name, const std::filesystem::path& fallback) {
    if (const char* v = std::getenv(name); v && *v) return v;
    return fallback;
}

}  // namespace

std::filesystem::path kamgw_binary() { return from_env_or("KAMGW_BINARY", build_dir() / "bin" / "kamgw"); }
std::filesystem::path plugin_dir() { return from_env_or("KAMGW_PLUGIN_DIR", build_dir() / "plugins"); }
std::filesystem::path source_dir() {
    if (const char* v = std::getenv("KAMGW_SOURCE_DIR"); v && *v) return v;
    // The source tree this build was configured from, as CMake recorded it.
    std::ifstream cache(build_dir() / "CMakeCache.txt");
    const std::string key = "CMAKE_HOME_DIRECTORY:INTERNAL=";
    for (std::string line; std::getline(cache, line);)
        if (line.rfind(key, 0) == 0) return line.substr(key.size());
    throw std::runtime_error("cannot find the source tree: no CMakeCache.txt in " + build_dir().string());
}

}  // namespace kamgw::test
