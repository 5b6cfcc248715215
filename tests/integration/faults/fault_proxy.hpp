// A TCP proxy in front of a simulated meter that breaks the connection on command, the way
// serial bridges fail in the field. It runs its own io_context on a thread of its own.
//
// A connection that was faulty stays faulty when the proxy heals (set_mode(pass)): a wedged
// bridge does not come back by itself on the same connection, only a new connection works.
// That is the case a gateway must handle by reopening the link.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace kamgw::test::faults {

enum class FaultMode {
    pass,          // bytes pass both ways
    silent,        // requests are swallowed; nothing comes back
    garbage,       // requests are swallowed; random bytes stream back
    trickle,       // answers come back one byte every 900 ms
    black_hole,    // nothing is read or written; the TCP connection stays up
    rst,           // connections are reset (RST), new ones too
    accept_close,  // connections are closed (FIN), new ones right after they are accepted
};

std::string fault_name(FaultMode mode);

class FaultProxy {
public:
    // Listens on 127.0.0.1 (a free port) and connects each client to 127.0.0.1:upstream_port.
    explicit FaultProxy(std::uint16_t upstream_port);
    ~FaultProxy();
    FaultProxy(const FaultProxy&) = delete;
    FaultProxy& operator=(const FaultProxy&) = delete;

    [[nodiscard]] std::uint16_t port() const;
    // Applies to the open connections at once (except pass, see above) and to new ones.
    void set_mode(FaultMode mode);
    [[nodiscard]] std::size_t accepted() const;  // client connections so far

    struct Impl;

private:
    std::shared_ptr<Impl> impl_;
};

}  // namespace kamgw::test::faults
