// The ELF note reader on real plugin files, on hand-made ELF32/ELF64 files in both byte
// orders, and on hostile files: truncated, offsets past the end, sizes of exabytes, garbage.
// Under ASan any read out of bounds fails these tests.
#include "core/host/elf_notes.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include "kamgw/plugin.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/unit/host/hand_made_elf.hpp"

namespace kamgw::host {
namespace {

namespace fs = std::filesystem;
using kamgw::test::Bytes;
using kamgw::test::hand_made_elf;
using kamgw::test::put;
using Outcome = ElfNoteSearch::Outcome;
using kamgw::test::TempDir;

const fs::path marker_plugin = fs::path(KAMGW_ABI_FIXTURE_PLUGIN_DIR) / "kamgw-sink-fixture-marker.so";

Bytes bytes_of(const fs::path& file) {
    const std::string text = kamgw::test::read_file(file);
    return {text.begin(), text.end()};
}

ElfNoteSearch search(const TempDir& dir, const Bytes& bytes) {
    const fs::path file = dir.write("plugin.so", std::string(bytes.begin(), bytes.end()));
    return find_elf_note(file, abi::note_owner, abi::note_type);
}

TEST(ElfNotes, FindsTheFingerprintOfARealPlugin) {
    const ElfNoteSearch found = find_elf_note(marker_plugin, abi::note_owner, abi::note_type);
    ASSERT_EQ(found.outcome, Outcome::found) << found.problem;
    EXPECT_EQ(found.desc.size(), sizeof(abi::Fingerprint));
    EXPECT_EQ(find_elf_note(marker_plugin, abi::note_owner, abi::note_type + 1).outcome, Outcome::absent);
    EXPECT_EQ(find_elf_note(marker_plugin, "kamgx", abi::note_type).outcome, Outcome::absent);
}

TEST(ElfNotes, ReadsBothClassesInBothByteOrders) {
    TempDir dir;
    for (bool is64 : {false, true}) {
        for (bool big_endian : {false, true}) {
            const ElfNoteSearch found = search(dir, hand_made_elf(is64, big_endian));
            ASSERT_EQ(found.outcome, Outcome::found) << is64 << big_endian << found.problem;
            EXPECT_EQ(found.big_endian, big_endian);
            Bytes want(8, 0);
            put(want, 0, 4, 1, big_endian);
            put(want, 4, 4, 3, big_endian);
            EXPECT_EQ(found.desc, want);
        }
    }
}

TEST(ElfNotes, WhatIsNoElfFileIsUnreadableWithAReason) {
    TempDir dir;
    EXPECT_EQ(search(dir, {}).problem, "it is not an ELF file");
    EXPECT_EQ(search(dir, {'#', '!', '/', 'b', 'i', 'n'}).problem, "it is not an ELF file");
    Bytes odd = hand_made_elf(true, false);
    odd[4] = 3;  // no such class
    EXPECT_EQ(search(dir, odd).problem, "it is an ELF file of an unknown class or byte order");
    EXPECT_EQ(find_elf_note(dir.path(), "kamgw", 1).problem, "it is not a regular file");
    EXPECT_EQ(find_elf_note(dir / "missing.so", "kamgw", 1).outcome, Outcome::unreadable);
}

TEST(ElfNotes, EveryTruncationOfARealPluginIsSafe) {
    TempDir dir;
    const Bytes whole = bytes_of(marker_plugin);
    const ElfNoteSearch complete = search(dir, whole);
    ASSERT_EQ(complete.outcome, Outcome::found);
    std::size_t found = 0;
    for (std::size_t length = 0; length < whole.size(); length += (length < 1024 ? 1 : 251)) {
        const ElfNoteSearch s = search(dir, Bytes(whole.begin(), whole.begin() + static_cast<std::ptrdiff_t>(length)));
        if (length < 16) {
            EXPECT_EQ(s.problem, "it is not an ELF file") << length;
        } else if (length < 64) {
            EXPECT_EQ(s.problem, "it is a truncated ELF file") << length;
        }
        if (s.outcome == Outcome::found) {
            EXPECT_EQ(s.desc, complete.desc) << length;
            ++found;
        }
    }
    // Once the headers and the note are in, the note is found through the program headers.
    EXPECT_GT(found, 0u);
}

// Offsets of the ELF64 little-endian header and program header fields the reader follows.
constexpr std::size_t e_phoff = 32, e_shoff = 40, e_phentsize = 54, e_phnum = 56, e_shnum = 60;

TEST(ElfNotes, OffsetsPastTheEndAreNoNote) {
    TempDir dir;
    Bytes b = bytes_of(marker_plugin);
    put(b, e_phoff, 8, 0xfffffffffffffff0, false);  // would wrap around when an entry is added
    put(b, e_shoff, 8, b.size() + 1, false);
    EXPECT_EQ(search(dir, b).outcome, Outcome::absent);

    Bytes note_elsewhere = hand_made_elf(true, false);
    put(note_elsewhere, 64 + 8, 8, 1ull << 62, false);  // p_offset far past the end
    EXPECT_EQ(search(dir, note_elsewhere).outcome, Outcome::absent);
}

TEST(ElfNotes, HugeSizesAndCountsAreNoNote) {
    TempDir dir;
    Bytes huge_note = hand_made_elf(true, false);
    put(huge_note, 64 + 32, 8, 0x8000000000000000, false);  // p_filesz
    EXPECT_EQ(search(dir, huge_note).outcome, Outcome::absent);

    for (std::uint64_t size : {0xffffffffull, 0xfffffff0ull, 29ull}) {
        Bytes damaged = hand_made_elf(false, true);
        put(damaged, 52 + 32, 4, size, true);  // namesz of the note itself
        EXPECT_EQ(search(dir, damaged).outcome, Outcome::absent) << size;
        damaged = hand_made_elf(false, true);
        put(damaged, 52 + 32 + 4, 4, size, true);  // descsz
        EXPECT_EQ(search(dir, damaged).outcome, Outcome::absent) << size;
    }

    Bytes many = bytes_of(marker_plugin);
    put(many, e_phentsize, 2, 0xffff, false);
    put(many, e_phnum, 2, 0xffff, false);
    put(many, e_shnum, 2, 0xffff, false);
    EXPECT_NE(search(dir, many).outcome, Outcome::unreadable);  // bounded, and no crash

    Bytes tiny_entries = bytes_of(marker_plugin);
    put(tiny_entries, e_phentsize, 2, 1, false);  // entries smaller than a program header
    EXPECT_NE(search(dir, tiny_entries).outcome, Outcome::unreadable);
}

TEST(ElfNotes, RandomDamageToTheHeadersNeverCrashes) {
    TempDir dir;
    const Bytes whole = bytes_of(marker_plugin);
    const std::size_t headers = std::min<std::size_t>(whole.size(), 1024);
    std::mt19937 random(20260);
    for (int round = 0; round < 300; ++round) {
        Bytes b = whole;
        for (int i = 0; i < 8; ++i) b[random() % headers] = static_cast<std::uint8_t>(random());
        const ElfNoteSearch s = search(dir, b);
        if (s.outcome == Outcome::found) {
            EXPECT_LE(s.desc.size(), 64u * 1024u);
        }
    }
}

}  // namespace
}  // namespace kamgw::host
