// Serves a simulated meter (kmp::MeterModel) on a pseudo terminal or a TCP port, paced like
// a real optical link (1200 baud, 8N2: 11 bits per byte). Used by `kamgw sim`, by the
// transport tests (behind ser2net) and by anyone who wants to try a setup without a meter.
//
// On a pty the server owns the master side and links the slave to a chosen path; it reads
// the line settings the client set through tcgetattr(master) and logs them, so a client
// that forgets 1200 8N2 is visible (and, with `strict_line`, gets no answer, like a meter).
#pragma once

#include <utility>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "core/kmp/meter_model.hpp"

namespace kamgw::meter {

struct SimOptions {
    kmp::ModelKind kind = kmp::ModelKind::multical403;
    std::uint32_t serial = 12345678;
    kmp::Faults faults;
    std::uint64_t seed = 1;
    unsigned baud = 1200;      // pacing of the answers
    bool pace = true;          // false: answers go out at once (after the answer delay)
    bool strict_line = false;  // pty only: ignore requests unless the line is set to 1200 8N2
};

// What a client set on the pty line.
struct LineSeen {
    unsigned baud = 0;
    unsigned data_bits = 8;
    unsigned stop_bits = 1;
    [[nodiscard]] std::string to_string() const;  // "1200 8N2" (parity is not observable on a pty)
};

class SimServer {
public:
    SimServer(boost::asio::any_io_executor executor, SimOptions options);
    ~SimServer();
    SimServer(const SimServer&) = delete;
    SimServer& operator=(const SimServer&) = delete;

    // Opens a pty, makes `link` a symlink to its slave device (replacing an old symlink) and
    // serves the meter on it. Returns the slave's path (/dev/pts/N). Throws std::system_error.
    std::string serve_pty(const std::filesystem::path& link);

    // Listens on host:port (0: any free port) for one client at a time; a second client is
    // refused while one is connected. Returns the bound port. Throws std::system_error.
    std::uint16_t listen_tcp(const std::string& host, std::uint16_t port);

    // Stops serving, closes everything and removes the pty link. Idempotent. Call it on the
    // io thread (e.g. from a signal handler there) or while the io_context is not running.
    void stop();

    [[nodiscard]] kmp::MeterModel::Stats stats() const;
    [[nodiscard]] LineSeen line_seen() const;     // the pty line as last seen
    [[nodiscard]] std::uint64_t clients() const;  // TCP clients served so far

    struct Impl;

private:
    std::shared_ptr<Impl> impl_;
};

}  // namespace kamgw::meter
