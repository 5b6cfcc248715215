// Finds one ELF note in a file without loading it: the plugin host reads a plugin's ABI
// fingerprint this way before dlopen() would run any of its code.
//
// The file comes from a plugin folder and may be anything: a truncated copy, another format,
// headers that point past its end or claim sizes of exabytes. Every offset and size is checked
// against the file's real size before it is read, and the total read is bounded, so no input
// makes the reader crash, read out of bounds or read for long.
//
// ELF32 and ELF64 in either byte order are read, so a host on amd64 can check a plugin
// cross-built for armhf or arm64 as well as the plugin can be checked on the Pi itself.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace kamgw::host {

struct ElfNoteSearch {
    enum class Outcome : std::uint8_t {
        found,       // `desc` holds the note's description
        absent,      // a readable ELF file without that note
        unreadable,  // not an ELF file, or it cannot be opened: `problem` says which
    };
    Outcome outcome = Outcome::absent;
    std::vector<std::uint8_t> desc;
    bool big_endian = false;  // the file's byte order, in which `desc`'s words are written
    std::string problem;      // e.g. "it is not an ELF file"
};

// Looks for a note with this owner and type in the file's PT_NOTE segments first (they stay
// when section headers are stripped), then in its SHT_NOTE sections.
ElfNoteSearch find_elf_note(const std::filesystem::path& file, std::string_view owner, std::uint32_t type);

}  // namespace kamgw::host
