#include "plugins/transport-rfc2217/telnet_codec.hpp"

#include <utility>

namespace kamgw::rfc2217 {
namespace {

bool wanted_locally(std::uint8_t option) {
    return option == telnet::BINARY || option == telnet::SGA || option == telnet::COM_PORT_OPTION;
}

// A server that says WILL COM-PORT-OPTION (some do, alongside DO) is accepted too.
bool wanted_remotely(std::uint8_t option) {
    return option == telnet::BINARY || option == telnet::SGA || option == telnet::COM_PORT_OPTION;
}

}  // namespace

std::uint32_t ComPortEvent::number() const {
    std::uint32_t n = 0;
    for (std::uint8_t b : value) n = (n << 8) | b;
    return n;
}

std::string comport_command_name(std::uint8_t command) {
    switch (command) {
        case comport::SET_BAUDRATE:
            return "SET-BAUDRATE";
        case comport::SET_DATASIZE:
            return "SET-DATASIZE";
        case comport::SET_PARITY:
            return "SET-PARITY";
        case comport::SET_STOPSIZE:
            return "SET-STOPSIZE";
        case comport::SET_CONTROL:
            return "SET-CONTROL";
        case comport::NOTIFY_LINESTATE:
            return "NOTIFY-LINESTATE";
        case comport::NOTIFY_MODEMSTATE:
            return "NOTIFY-MODEMSTATE";
        case comport::FLOWCONTROL_SUSPEND:
            return "FLOWCONTROL-SUSPEND";
        case comport::FLOWCONTROL_RESUME:
            return "FLOWCONTROL-RESUME";
        case comport::SET_LINESTATE_MASK:
            return "SET-LINESTATE-MASK";
        case comport::SET_MODEMSTATE_MASK:
            return "SET-MODEMSTATE-MASK";
        case comport::PURGE_DATA:
            return "PURGE-DATA";
        default:
            return "COM-PORT command " + std::to_string(command);
    }
}

std::vector<std::uint8_t> TelnetCodec::start() {
    std::vector<std::uint8_t> out;
    for (std::uint8_t option : {telnet::BINARY, telnet::SGA}) {
        local_[option] = State::want_yes;
        remote_[option] = State::want_yes;
        out.insert(out.end(), {telnet::IAC, telnet::WILL, option, telnet::IAC, telnet::DO, option});
    }
    local_[telnet::COM_PORT_OPTION] = State::want_yes;
    out.insert(out.end(), {telnet::IAC, telnet::WILL, telnet::COM_PORT_OPTION});
    return out;
}

void TelnetCodec::feed(std::span<const std::uint8_t> bytes, std::vector<std::uint8_t>& data) {
    for (std::uint8_t b : bytes) {
        switch (parse_) {
            case Parse::data:
                if (b == telnet::IAC)
                    parse_ = Parse::iac;
                else
                    data.push_back(b);
                break;
            case Parse::iac:
                if (b == telnet::IAC) {
                    data.push_back(b);  // an escaped 0xFF data byte
                    parse_ = Parse::data;
                } else if (b == telnet::WILL || b == telnet::WONT || b == telnet::DO || b == telnet::DONT) {
                    verb_ = b;
                    parse_ = Parse::option;
                } else if (b == telnet::SB) {
                    parse_ = Parse::sb_option;
                } else {
                    parse_ = Parse::data;  // NOP, DM, GA, BRK, a stray SE, ...: nothing to do
                }
                break;
            case Parse::option:
                command(verb_, b);
                parse_ = Parse::data;
                break;
            case Parse::sb_option:
                sb_option_ = b;
                sb_.clear();
                sb_overflow_ = false;
                parse_ = Parse::sb;
                break;
            case Parse::sb:
                if (b == telnet::IAC) {
                    parse_ = Parse::sb_iac;
                } else if (sb_.size() < max_subnegotiation) {
                    sb_.push_back(b);
                } else {
                    sb_overflow_ = true;
                }
                break;
            case Parse::sb_iac:
                if (b == telnet::IAC) {
                    if (sb_.size() < max_subnegotiation)
                        sb_.push_back(b);
                    else
                        sb_overflow_ = true;
                    parse_ = Parse::sb;
                } else if (b == telnet::SE) {
                    end_subnegotiation();
                    parse_ = Parse::data;
                } else {
                    // IAC <command> inside a subnegotiation: the server broke off; drop the
                    // subnegotiation and treat the byte as the command it is.
                    sb_.clear();
                    parse_ = Parse::iac;
                    const std::uint8_t again[] = {b};
                    feed(again, data);
                }
                break;
        }
    }
}

void TelnetCodec::answer(std::uint8_t verb, std::uint8_t option) {
    answers_.insert(answers_.end(), {telnet::IAC, verb, option});
}

void TelnetCodec::command(std::uint8_t verb, std::uint8_t option) {
    State& local = local_[option];
    State& remote = remote_[option];
    switch (verb) {
        case telnet::DO:
            if (!wanted_locally(option)) {
                answer(telnet::WONT, option);
            } else if (local == State::no) {
                local = State::yes;
                answer(telnet::WILL, option);
            } else {
                local = State::yes;  // want_yes: this DO is the server's agreement
            }
            break;
        case telnet::DONT:
            if (local == State::yes) answer(telnet::WONT, option);
            if (local != State::no && option == telnet::COM_PORT_OPTION) com_port_refused_ = true;
            local = State::no;
            break;
        case telnet::WILL:
            if (!wanted_remotely(option)) {
                answer(telnet::DONT, option);
            } else if (remote == State::no) {
                remote = State::yes;
                answer(telnet::DO, option);
            } else {
                remote = State::yes;
            }
            break;
        case telnet::WONT:
            if (remote == State::yes) answer(telnet::DONT, option);
            remote = State::no;
            break;
        default:
            break;
    }
}

void TelnetCodec::end_subnegotiation() {
    if (sb_overflow_ || sb_option_ != telnet::COM_PORT_OPTION || sb_.empty()) return;
    const std::uint8_t number = sb_.front();
    if (number < comport::server_offset) return;  // a client command sent to us: not ours to serve
    ComPortEvent event;
    event.command = static_cast<std::uint8_t>(number - comport::server_offset);
    event.value.assign(sb_.begin() + 1, sb_.end());
    events_.push_back(std::move(event));
}

std::vector<std::uint8_t> TelnetCodec::take_answers() { return std::exchange(answers_, {}); }

std::vector<ComPortEvent> TelnetCodec::take_events() { return std::exchange(events_, {}); }

void TelnetCodec::escape_into(std::span<const std::uint8_t> data, std::vector<std::uint8_t>& out) {
    out.reserve(out.size() + data.size());
    for (std::uint8_t b : data) {
        out.push_back(b);
        if (b == telnet::IAC) out.push_back(telnet::IAC);
    }
}

std::vector<std::uint8_t> TelnetCodec::escape(std::span<const std::uint8_t> data) {
    std::vector<std::uint8_t> out;
    escape_into(data, out);
    return out;
}

std::vector<std::uint8_t> TelnetCodec::com_port_command(std::uint8_t command, std::span<const std::uint8_t> value) {
    std::vector<std::uint8_t> out = {telnet::IAC, telnet::SB, telnet::COM_PORT_OPTION, command};
    escape_into(value, out);
    out.insert(out.end(), {telnet::IAC, telnet::SE});
    return out;
}

std::vector<std::uint8_t> TelnetCodec::set_line(const LineSettings& line) {
    std::vector<std::uint8_t> out;
    auto append = [&out](std::uint8_t command, std::span<const std::uint8_t> value) {
        const auto cmd = com_port_command(command, value);
        out.insert(out.end(), cmd.begin(), cmd.end());
    };
    const std::uint8_t baud[] = {static_cast<std::uint8_t>(line.baud >> 24), static_cast<std::uint8_t>(line.baud >> 16),
                                 static_cast<std::uint8_t>(line.baud >> 8), static_cast<std::uint8_t>(line.baud)};
    append(comport::SET_BAUDRATE, baud);
    const std::uint8_t size[] = {static_cast<std::uint8_t>(line.data_bits)};
    append(comport::SET_DATASIZE, size);
    const std::uint8_t parity[] = {line.parity == 'E'   ? comport::PARITY_EVEN
                                   : line.parity == 'O' ? comport::PARITY_ODD
                                                        : comport::PARITY_NONE};
    append(comport::SET_PARITY, parity);
    const std::uint8_t stop[] = {static_cast<std::uint8_t>(line.stop_bits == 2 ? 2 : 1)};
    append(comport::SET_STOPSIZE, stop);
    return out;
}

LineConfirmation::LineConfirmation(const LineSettings& line) {
    wanted_ = {line.baud, line.data_bits,
               line.parity == 'E'   ? comport::PARITY_EVEN
               : line.parity == 'O' ? comport::PARITY_ODD
                                    : comport::PARITY_NONE,
               line.stop_bits == 2 ? 2u : 1u};
}

std::optional<std::string> LineConfirmation::accept(const ComPortEvent& event) {
    if (event.command < comport::SET_BAUDRATE || event.command > comport::SET_STOPSIZE) return std::nullopt;
    const std::size_t i = event.command - comport::SET_BAUDRATE;
    const std::size_t expected_size = event.command == comport::SET_BAUDRATE ? 4 : 1;
    if (event.value.size() != expected_size) {
        return "the server answered " + comport_command_name(event.command) + " with " +
               std::to_string(event.value.size()) + " bytes instead of " + std::to_string(expected_size);
    }
    seen_[i] = true;
    if (event.number() != wanted_[i]) {
        return "the server set " + comport_command_name(event.command) + " to " + std::to_string(event.number()) +
               " instead of " + std::to_string(wanted_[i]) + " (the port cannot do it?)";
    }
    return std::nullopt;
}

bool LineConfirmation::complete() const { return seen_[0] && seen_[1] && seen_[2] && seen_[3]; }

std::string LineConfirmation::missing() const {
    static constexpr const char* names[] = {"baud rate", "data size", "parity", "stop size"};
    std::string out;
    for (std::size_t i = 0; i < seen_.size(); ++i) {
        if (seen_[i]) continue;
        if (!out.empty()) out += ", ";
        out += names[i];
    }
    return out;
}

}  // namespace kamgw::rfc2217
