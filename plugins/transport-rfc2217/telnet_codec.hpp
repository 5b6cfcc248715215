// The telnet and RFC 2217 (COM-PORT-OPTION) byte handling of the rfc2217 transport, with no
// I/O: bytes from the server go in, and out come the data bytes, the answers to send back,
// and the server's COM-PORT notifications. Bytes may arrive split anywhere, even inside a
// subnegotiation or between IAC and its command.
//
// Negotiation follows RFC 1143 ("Q method" without the queue bits): an option is answered
// only when its state changes, so two peers never loop. The client wants BINARY and SGA in
// both directions and offers COM-PORT-OPTION; it refuses everything else (ser2net offers
// ECHO, for instance).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "kamgw/endpoint.hpp"

namespace kamgw::rfc2217 {

namespace telnet {
inline constexpr std::uint8_t IAC = 255, DONT = 254, DO = 253, WONT = 252, WILL = 251, SB = 250, SE = 240;
inline constexpr std::uint8_t BINARY = 0, ECHO = 1, SGA = 3, COM_PORT_OPTION = 44;
}  // namespace telnet

// RFC 2217 command numbers as the client sends them; the server answers with the same
// number plus 100.
namespace comport {
inline constexpr std::uint8_t SET_BAUDRATE = 1, SET_DATASIZE = 2, SET_PARITY = 3, SET_STOPSIZE = 4, SET_CONTROL = 5,
                              NOTIFY_LINESTATE = 6, NOTIFY_MODEMSTATE = 7, FLOWCONTROL_SUSPEND = 8,
                              FLOWCONTROL_RESUME = 9, SET_LINESTATE_MASK = 10, SET_MODEMSTATE_MASK = 11,
                              PURGE_DATA = 12;
inline constexpr std::uint8_t server_offset = 100;
// SET-PARITY values.
inline constexpr std::uint8_t PARITY_NONE = 1, PARITY_ODD = 2, PARITY_EVEN = 3;
}  // namespace comport

// One COM-PORT-OPTION message from the server.
struct ComPortEvent {
    std::uint8_t command = 0;  // the client-side number (the server's number minus 100)
    std::vector<std::uint8_t> value;
    [[nodiscard]] std::uint32_t number() const;  // value as a big-endian unsigned number
};

std::string comport_command_name(std::uint8_t command);

class TelnetCodec {
public:
    // What the client says first: WILL/DO BINARY, WILL/DO SGA, WILL COM-PORT-OPTION.
    std::vector<std::uint8_t> start();

    // Consumes bytes from the server; data bytes are appended to `data`.
    void feed(std::span<const std::uint8_t> bytes, std::vector<std::uint8_t>& data);

    // Negotiation answers produced by feed() since the last call, ready to send.
    std::vector<std::uint8_t> take_answers();
    // COM-PORT-OPTION messages from the server since the last call.
    std::vector<ComPortEvent> take_events();

    // The server agreed to COM-PORT-OPTION (answered DO), or refused it (DONT).
    [[nodiscard]] bool com_port_accepted() const { return local_[telnet::COM_PORT_OPTION] == State::yes; }
    [[nodiscard]] bool com_port_refused() const { return com_port_refused_; }
    [[nodiscard]] bool local_enabled(std::uint8_t option) const { return local_[option] == State::yes; }
    [[nodiscard]] bool remote_enabled(std::uint8_t option) const { return remote_[option] == State::yes; }
    // Subnegotiations longer than this are dropped (a server cannot make the client buffer
    // without bound).
    static constexpr std::size_t max_subnegotiation = 64;

    // Data for the server with every 0xFF doubled.
    static void escape_into(std::span<const std::uint8_t> data, std::vector<std::uint8_t>& out);
    static std::vector<std::uint8_t> escape(std::span<const std::uint8_t> data);
    // IAC SB COM-PORT-OPTION <command> <value, escaped> IAC SE
    static std::vector<std::uint8_t> com_port_command(std::uint8_t command, std::span<const std::uint8_t> value);
    // SET-BAUDRATE, SET-DATASIZE, SET-PARITY and SET-STOPSIZE for `line`, in one buffer.
    static std::vector<std::uint8_t> set_line(const LineSettings& line);

private:
    enum class State : std::uint8_t { no, yes, want_yes };
    enum class Parse : std::uint8_t { data, iac, option, sb_option, sb, sb_iac };

    void command(std::uint8_t verb, std::uint8_t option);
    void end_subnegotiation();
    void answer(std::uint8_t verb, std::uint8_t option);

    std::array<State, 256> local_{};   // options this side performs (WILL)
    std::array<State, 256> remote_{};  // options the server performs (its WILL)
    bool com_port_refused_ = false;
    Parse parse_ = Parse::data;
    std::uint8_t verb_ = 0;
    std::uint8_t sb_option_ = 0;
    bool sb_overflow_ = false;
    std::vector<std::uint8_t> sb_;
    std::vector<std::uint8_t> answers_;
    std::vector<ComPortEvent> events_;
};

// Tracks the server's confirmations of the four line settings after set_line().
class LineConfirmation {
public:
    explicit LineConfirmation(const LineSettings& line);
    // Feeds one event; returns an error sentence if the server confirmed another value than
    // the one asked for (it could not apply it). Other events are ignored.
    std::optional<std::string> accept(const ComPortEvent& event);
    [[nodiscard]] bool complete() const;
    [[nodiscard]] std::string missing() const;  // "baud rate, stop bits" (empty when complete)

private:
    std::array<std::uint32_t, 4> wanted_{};
    std::array<bool, 4> seen_{};
};

}  // namespace kamgw::rfc2217
