// The ABI fingerprint: what a plugin was compiled against, written into the plugin file.
//
// A plugin and kamgw exchange C++ classes, std::string, vectors and variants, so one number
// kept by hand cannot say whether they fit: the standard library's string ABI, the compiler's
// ABI version, Boost's version and the sizes of the SDK's structs must agree too. KAMGW_PLUGIN puts
// this record into an ELF note of the plugin (section .note.kamgw.abi, owner "kamgw"), and kamgw
// reads it from the file before it loads the library, so a plugin that does not fit is refused
// before any of its code (a static initialiser included) has run.
//
// The section is an allocated note (SHT_NOTE) in a PT_NOTE segment: strip drops it only when told
// its name (dh_strip's --remove-section=.note matches just a section named ".note"), and kamgw
// finds the note through the program headers even when the section headers are gone.
//
// Layout rule: every field is a 32-bit unsigned integer in the file's byte order, and fields are
// only ever appended (and `format` raised), so any kamgw can read the fields it knows.
#pragma once

#include <boost/version.hpp>
#include <cstdint>
#include <string>

#include "kamgw/config.hpp"
#include "kamgw/decimal.hpp"
#include "kamgw/endpoint.hpp"
#include "kamgw/reading.hpp"
#include "kamgw/sink.hpp"

namespace kamgw {
struct PluginDescriptor;
}

namespace kamgw::abi {

// The note's owner and type, as readelf -n shows them.
inline constexpr char note_owner[] = "kamgw";
inline constexpr std::uint32_t note_type = 0x31414b;  // "KA1" read as a little-endian number
inline constexpr char note_section[] = ".note.kamgw.abi";

#ifdef __GXX_ABI_VERSION
inline constexpr std::uint32_t compiler_abi = __GXX_ABI_VERSION;
#else
inline constexpr std::uint32_t compiler_abi = 0;
#endif

// libstdc++'s choice between the old copy-on-write std::string and the C++11 one; 2 for a
// standard library without that switch.
#ifdef _GLIBCXX_USE_CXX11_ABI
inline constexpr std::uint32_t cxx11_string_abi = _GLIBCXX_USE_CXX11_ABI;
#else
inline constexpr std::uint32_t cxx11_string_abi = 2;
#endif

struct Fingerprint {
    std::uint32_t format;  // 1: the fields below
    std::uint32_t plugin_abi;
    std::uint32_t compiler_abi;
    std::uint32_t cxx11_string_abi;
    std::uint32_t boost_version;
    std::uint32_t pointer_size;
    std::uint32_t string_size;
    std::uint32_t plugin_descriptor_size;
    std::uint32_t reading_batch_size;
    std::uint32_t reading_size;
    std::uint32_t meter_identity_size;
    std::uint32_t missing_register_size;
    std::uint32_t decimal_size;
    std::uint32_t config_key_size;
    std::uint32_t config_table_size;
    std::uint32_t write_result_size;
    std::uint32_t meter_info_size;
    std::uint32_t meter_status_size;
    std::uint32_t endpoint_size;
    std::uint32_t line_settings_size;
};

inline constexpr std::uint32_t fingerprint_format = 1;
inline constexpr std::uint32_t fingerprint_fields = sizeof(Fingerprint) / sizeof(std::uint32_t);

// The fingerprint of the translation unit that expands it. `Descriptor` is PluginDescriptor,
// passed in because plugin.hpp defines it after including this header.
template <typename Descriptor>
constexpr Fingerprint fingerprint_of_this_build(std::uint32_t plugin_abi) {
    return {
        .format = fingerprint_format,
        .plugin_abi = plugin_abi,
        .compiler_abi = compiler_abi,
        .cxx11_string_abi = cxx11_string_abi,
        .boost_version = BOOST_VERSION,
        .pointer_size = sizeof(void*),
        .string_size = sizeof(std::string),
        .plugin_descriptor_size = sizeof(Descriptor),
        .reading_batch_size = sizeof(ReadingBatch),
        .reading_size = sizeof(Reading),
        .meter_identity_size = sizeof(MeterIdentity),
        .missing_register_size = sizeof(MissingRegister),
        .decimal_size = sizeof(Decimal),
        .config_key_size = sizeof(ConfigKey),
        .config_table_size = sizeof(ConfigTable),
        .write_result_size = sizeof(WriteResult),
        .meter_info_size = sizeof(MeterInfo),
        .meter_status_size = sizeof(MeterStatus),
        .endpoint_size = sizeof(Endpoint),
        .line_settings_size = sizeof(LineSettings),
    };
}

// An ELF note as it lies in the file: header, owner padded to 4 bytes, then the fingerprint.
struct Note {
    std::uint32_t owner_size = sizeof(note_owner);
    std::uint32_t desc_size = sizeof(Fingerprint);
    std::uint32_t type = note_type;
    char owner[8] = {'k', 'a', 'm', 'g', 'w', '\0', '\0', '\0'};
    Fingerprint fingerprint;
};
static_assert(sizeof(note_owner) <= sizeof(Note::owner));
static_assert(sizeof(Fingerprint) % 4 == 0 && alignof(Note) == 4, "an ELF note is made of 4-byte words");

}  // namespace kamgw::abi

// Emits the note. `used` keeps it in the object file although nothing refers to it, and the
// linker keeps note sections under --gc-sections too.
#define KAMGW_ABI_NOTE()                                                                                               \
    namespace {                                                                                                        \
    [[gnu::used, gnu::section(".note.kamgw.abi"), gnu::aligned(4)]] constinit const ::kamgw::abi::Note kamgw_abi_note{ \
        .fingerprint = ::kamgw::abi::fingerprint_of_this_build<::kamgw::PluginDescriptor>(KAMGW_PLUGIN_ABI)};          \
    }
