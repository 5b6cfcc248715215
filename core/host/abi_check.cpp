#include "core/host/abi_check.hpp"

#include <cstring>
#include <iterator>
#include <string_view>

#include "core/base/version.hpp"
#include "core/host/elf_notes.hpp"
#include "kamgw/plugin.hpp"

namespace kamgw::host {
namespace {

enum class Shown : std::uint8_t { number, bytes, boost_version };

struct FieldInfo {
    std::string_view what;
    Shown shown;
};

// One entry per field of kamgw::abi::Fingerprint, in its order.
constexpr FieldInfo fields[] = {
    {"fingerprint format", Shown::number},
    {"plugin ABI", Shown::number},
    {"C++ compiler ABI (__GXX_ABI_VERSION)", Shown::number},
    {"std::string ABI (_GLIBCXX_USE_CXX11_ABI)", Shown::number},
    {"Boost", Shown::boost_version},
    {"pointer size", Shown::bytes},
    {"size of std::string", Shown::bytes},
    {"size of kamgw::PluginDescriptor", Shown::bytes},
    {"size of kamgw::ReadingBatch", Shown::bytes},
    {"size of kamgw::Reading", Shown::bytes},
    {"size of kamgw::MeterIdentity", Shown::bytes},
    {"size of kamgw::MissingRegister", Shown::bytes},
    {"size of kamgw::Decimal", Shown::bytes},
    {"size of kamgw::ConfigKey", Shown::bytes},
    {"size of kamgw::ConfigTable", Shown::bytes},
    {"size of kamgw::WriteResult", Shown::bytes},
    {"size of kamgw::MeterInfo", Shown::bytes},
    {"size of kamgw::MeterStatus", Shown::bytes},
    {"size of kamgw::Endpoint", Shown::bytes},
    {"size of kamgw::LineSettings", Shown::bytes},
};
static_assert(std::size(fields) == abi::fingerprint_fields, "describe every fingerprint field");

// The fingerprint appeared with this plugin ABI; a plugin without one is older (or stripped).
constexpr int first_fingerprinted_abi = 3;

std::string shown(std::uint32_t value, Shown how) {
    switch (how) {
        case Shown::bytes:
            return std::to_string(value) + " bytes";
        case Shown::boost_version:
            return std::to_string(value / 100000) + "." + std::to_string(value / 100 % 1000) + "." +
                   std::to_string(value % 100);
        case Shown::number:
            break;
    }
    return std::to_string(value);
}

std::string what_to_do() {
    return "rebuild it against this kamgw's SDK (kamgw-dev " + std::string(base::version) + ", plugin ABI " +
           std::to_string(KAMGW_PLUGIN_ABI) + ")";
}

FingerprintWords words_of(const std::vector<std::uint8_t>& desc, bool big_endian) {
    FingerprintWords out(desc.size() / 4);
    for (std::size_t i = 0; i < out.size(); ++i)
        for (std::size_t b = 0; b < 4; ++b)
            out[i] |= static_cast<std::uint32_t>(desc[i * 4 + b]) << (8 * (big_endian ? 3 - b : b));
    return out;
}

}  // namespace

FingerprintWords host_fingerprint() {
    constexpr abi::Fingerprint mine = abi::fingerprint_of_this_build<PluginDescriptor>(KAMGW_PLUGIN_ABI);
    FingerprintWords out(abi::fingerprint_fields);
    std::memcpy(out.data(), &mine, sizeof mine);
    return out;
}

std::vector<std::string> fingerprint_differences(const FingerprintWords& plugin, const FingerprintWords& host) {
    std::vector<std::string> out;
    // Field 0 is the format: a newer one only appends fields, so it is never a difference itself.
    for (std::size_t i = 1; i < host.size() && i < std::size(fields); ++i) {
        const bool recorded = i < plugin.size();
        if (recorded && plugin[i] == host[i]) continue;
        const std::string theirs = recorded ? shown(plugin[i], fields[i].shown) : "an SDK that did not record it";
        out.push_back(std::string(fields[i].what) + ": plugin built for " + theirs + ", this kamgw is " +
                      shown(host[i], fields[i].shown));
    }
    return out;
}

std::optional<std::string> abi_refusal(const std::filesystem::path& file, const FingerprintWords& host) {
    const std::string name = "plugin " + file.string();
    const ElfNoteSearch note = find_elf_note(file, abi::note_owner, abi::note_type);
    switch (note.outcome) {
        case ElfNoteSearch::Outcome::unreadable:
            return "cannot load " + name + ": " + note.problem;
        case ElfNoteSearch::Outcome::absent:
            return "refusing " + name + ": it carries no kamgw ABI fingerprint (no note in " +
                   std::string(abi::note_section) + ", so it was built with an SDK older than plugin ABI " +
                   std::to_string(first_fingerprinted_abi) + ", the note was stripped, or it is no kamgw plugin); " +
                   what_to_do();
        case ElfNoteSearch::Outcome::found:
            break;
    }
    if (note.desc.size() < 8 || note.desc.size() % 4 != 0)
        return "refusing " + name + ": its kamgw ABI fingerprint is damaged (" + std::to_string(note.desc.size()) +
               " bytes); " + what_to_do();
    const std::vector<std::string> differences = fingerprint_differences(words_of(note.desc, note.big_endian), host);
    if (differences.empty()) return std::nullopt;
    std::string list;
    for (const auto& d : differences) list += (list.empty() ? "" : "; ") + d;
    return "refusing " + name + ": it was built for another kamgw (" + list + "); " + what_to_do();
}

}  // namespace kamgw::host
