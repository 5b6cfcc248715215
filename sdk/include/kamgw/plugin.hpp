// The plugin descriptor and the two symbols every kamgw plugin exports.
//
// kamgw checks a plugin before it loads it: KAMGW_PLUGIN writes the ABI fingerprint
// (kamgw/abi_fingerprint.hpp) into the file, and kamgw reads it from the file and refuses any
// difference before the library is opened, so none of the plugin's code runs. After loading,
// it still compares `kamgw_plugin_abi()` with its own KAMGW_PLUGIN_ABI, and only then calls
// `kamgw_plugin_descriptor()` and uses the factory. The ABI number changes whenever any type
// in these headers changes layout or a virtual function is added (sdk/README.md, "ABI and
// evolution"), so a plugin always runs against the headers it was built with.
//
//   static constexpr kamgw::ConfigKey keys[] = {{"path", kamgw::ConfigType::path, "", true, "where to write"}};
//   static const kamgw::PluginDescriptor descriptor = {
//       .name = "my-sink", .kind = kamgw::PluginKind::sink, .version = "1.0.0",
//       .summary = "writes readings somewhere", .config = keys,
//       .make_sink = [] { return std::unique_ptr<kamgw::Sink>(new MySink); }};
//   KAMGW_PLUGIN(descriptor)
//
// A sink may also export a check of its [[sink]] table (KAMGW_SINK_CONFIG_CHECK below). It is
// an optional symbol, looked up by name: a plugin without it loads as before.
#pragma once

#include <boost/config.hpp>
#include <cstdint>
#include <exception>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "kamgw/abi_fingerprint.hpp"
#include "kamgw/config.hpp"
#include "kamgw/sink.hpp"

// Bump on every layout change of a type in sdk/include/kamgw and on every new or changed
// virtual function; packaging/debian/rules reads it from this line (kamgw-abi-N).
#define KAMGW_PLUGIN_ABI 3

namespace kamgw {

class Transport;
struct TransportContext;

enum class PluginKind : std::uint8_t { sink, transport };

constexpr std::string_view plugin_kind_name(PluginKind k) { return k == PluginKind::sink ? "sink" : "transport"; }

// Lane settings a sink suggests; users may override them per [[sink]] table.
struct LaneDefaults {
    std::uint32_t batch_size = 1;                 // batches per write()
    std::chrono::milliseconds flush_interval{0};  // wait this long to fill a batch
};

// Every member has a default, so a designated initializer names only what it sets.
struct PluginDescriptor {
    int abi_version = KAMGW_PLUGIN_ABI;
    std::string_view name{};  // the `type` in [[sink]], or the transport's name
    PluginKind kind = PluginKind::sink;
    std::string_view version{};
    std::string_view summary{};                       // one line
    std::span<const ConfigKey> config{};              // sink: its [[sink]] keys; transport: its URL query keys
    std::span<const std::string_view> url_schemes{};  // transports: the schemes served, e.g. {"tcp", "socket"}
    LaneDefaults lane{};
    std::unique_ptr<Sink> (*make_sink)() = nullptr;
    std::unique_ptr<Transport> (*make_transport)(const TransportContext&) = nullptr;
};

}  // namespace kamgw

// Optional, for sinks: `check` (a function `std::string(const kamgw::ConfigTable&)`) parses the
// table the way start() will, without connecting or writing anything (URLs, keys that go
// together, values the schema's types cannot express), and returns one sentence saying what
// is wrong and what is accepted, or an empty string; an exception it throws (a ConfigError from
// the parser start() uses, say) counts as that sentence. `kamgw check` and the daemon's start run
// it, so a configuration `check` accepts is one start() accepts too. It gets the table after
// the core's validation against `config` (types, required keys, secrets read from their files)
// and may be called on any thread, before and without make_sink().
#define KAMGW_SINK_CONFIG_CHECK(check)                                                             \
    extern "C" BOOST_SYMBOL_EXPORT void kamgw_sink_check_config(const ::kamgw::ConfigTable& table, \
                                                                std::string& problem) {            \
        try {                                                                                      \
            problem = (check)(table);                                                              \
        } catch (const std::exception& e) {                                                        \
            problem = e.what();                                                                    \
        }                                                                                          \
    }

#define KAMGW_PLUGIN(descriptor_object)                                                         \
    KAMGW_ABI_NOTE()                                                                            \
    extern "C" BOOST_SYMBOL_EXPORT int kamgw_plugin_abi() { return KAMGW_PLUGIN_ABI; }          \
    extern "C" BOOST_SYMBOL_EXPORT const ::kamgw::PluginDescriptor* kamgw_plugin_descriptor() { \
        return &(descriptor_object);                                                            \
    }
