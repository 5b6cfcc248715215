// ELF files written byte by byte, for the tests of the note reader and the ABI check: one
// PT_NOTE segment holding one "kamgw" note. The offsets are the ELF specification's, written
// out independently of <elf.h> so that the reader is not checked against itself.
#pragma once

#include <cstdint>
#include <cstring>
#include <vector>

#include "kamgw/abi_fingerprint.hpp"

namespace kamgw::test {

using Bytes = std::vector<std::uint8_t>;

inline void put(Bytes& b, std::size_t at, std::size_t size, std::uint64_t value, bool big_endian) {
    for (std::size_t i = 0; i < size; ++i) b[at + (big_endian ? size - 1 - i : i)] = (value >> (8 * i)) & 0xff;
}

// The note's description is `desc` written as 32-bit words in the file's byte order, cut to
// `desc_size` bytes when that is given (a damaged description).
inline Bytes hand_made_elf(bool is64, bool big_endian, const std::vector<std::uint32_t>& desc = {1, 3},
                           std::size_t desc_size = SIZE_MAX) {
    if (desc_size == SIZE_MAX) desc_size = desc.size() * 4;
    const std::size_t ehdr = is64 ? 64 : 52, phdr = is64 ? 56 : 32, note_at = ehdr + phdr;
    const std::size_t note_size = 12 + 8 + (desc_size + 3) / 4 * 4;
    Bytes b(note_at + note_size, 0);
    const std::uint8_t ident[] = {0x7f, 'E', 'L', 'F', std::uint8_t(is64 ? 2 : 1), std::uint8_t(big_endian ? 2 : 1), 1};
    std::memcpy(b.data(), ident, sizeof ident);
    put(b, is64 ? 32 : 28, is64 ? 8 : 4, ehdr, big_endian);                // e_phoff
    put(b, is64 ? 54 : 42, 2, phdr, big_endian);                           // e_phentsize
    put(b, is64 ? 56 : 44, 2, 1, big_endian);                              // e_phnum
    put(b, ehdr, 4, 4, big_endian);                                        // p_type = PT_NOTE
    put(b, ehdr + (is64 ? 8 : 4), is64 ? 8 : 4, note_at, big_endian);      // p_offset
    put(b, ehdr + (is64 ? 32 : 16), is64 ? 8 : 4, note_size, big_endian);  // p_filesz
    put(b, ehdr + (is64 ? 48 : 28), is64 ? 8 : 4, 4, big_endian);          // p_align
    put(b, note_at, 4, 6, big_endian);                                     // namesz
    put(b, note_at + 4, 4, desc_size, big_endian);                         // descsz
    put(b, note_at + 8, 4, abi::note_type, big_endian);                    // type
    std::memcpy(b.data() + note_at + 12, "kamgw", 6);
    for (std::size_t i = 0; i < desc.size() && (i + 1) * 4 <= desc_size; ++i)
        put(b, note_at + 20 + i * 4, 4, desc[i], big_endian);
    return b;
}

}  // namespace kamgw::test
