#include "core/host/elf_notes.hpp"

#include <elf.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <optional>
#include <span>
#include <system_error>

namespace kamgw::host {
namespace {

// A note region larger than this is not one KAMGW_PLUGIN wrote: skipped, not read.
constexpr std::uint64_t max_region_bytes = 64 * 1024;
// All regions together: headers that point at the same region thousands of times cost no more.
constexpr std::uint64_t max_total_bytes = 1024 * 1024;

struct Field {
    std::size_t offset;
    std::size_t size;
};
#define KAMGW_ELF_FIELD(type, member) \
    Field { offsetof(type, member), sizeof(type::member) }

// Where the fields the search needs lie, for one ELF class (the <elf.h> structs give the layout;
// the values are decoded in the file's byte order, not read through the structs).
struct Layout {
    std::size_t ehdr_size;
    Field phoff, shoff, phentsize, phnum, shentsize, shnum;
    std::size_t phdr_size;
    Field p_type, p_offset, p_filesz, p_align;
    std::size_t shdr_size;
    Field sh_type, sh_offset, sh_size, sh_addralign;
};

constexpr Layout elf32{sizeof(Elf32_Ehdr),
                       KAMGW_ELF_FIELD(Elf32_Ehdr, e_phoff),
                       KAMGW_ELF_FIELD(Elf32_Ehdr, e_shoff),
                       KAMGW_ELF_FIELD(Elf32_Ehdr, e_phentsize),
                       KAMGW_ELF_FIELD(Elf32_Ehdr, e_phnum),
                       KAMGW_ELF_FIELD(Elf32_Ehdr, e_shentsize),
                       KAMGW_ELF_FIELD(Elf32_Ehdr, e_shnum),
                       sizeof(Elf32_Phdr),
                       KAMGW_ELF_FIELD(Elf32_Phdr, p_type),
                       KAMGW_ELF_FIELD(Elf32_Phdr, p_offset),
                       KAMGW_ELF_FIELD(Elf32_Phdr, p_filesz),
                       KAMGW_ELF_FIELD(Elf32_Phdr, p_align),
                       sizeof(Elf32_Shdr),
                       KAMGW_ELF_FIELD(Elf32_Shdr, sh_type),
                       KAMGW_ELF_FIELD(Elf32_Shdr, sh_offset),
                       KAMGW_ELF_FIELD(Elf32_Shdr, sh_size),
                       KAMGW_ELF_FIELD(Elf32_Shdr, sh_addralign)};

constexpr Layout elf64{sizeof(Elf64_Ehdr),
                       KAMGW_ELF_FIELD(Elf64_Ehdr, e_phoff),
                       KAMGW_ELF_FIELD(Elf64_Ehdr, e_shoff),
                       KAMGW_ELF_FIELD(Elf64_Ehdr, e_phentsize),
                       KAMGW_ELF_FIELD(Elf64_Ehdr, e_phnum),
                       KAMGW_ELF_FIELD(Elf64_Ehdr, e_shentsize),
                       KAMGW_ELF_FIELD(Elf64_Ehdr, e_shnum),
                       sizeof(Elf64_Phdr),
                       KAMGW_ELF_FIELD(Elf64_Phdr, p_type),
                       KAMGW_ELF_FIELD(Elf64_Phdr, p_offset),
                       KAMGW_ELF_FIELD(Elf64_Phdr, p_filesz),
                       KAMGW_ELF_FIELD(Elf64_Phdr, p_align),
                       sizeof(Elf64_Shdr),
                       KAMGW_ELF_FIELD(Elf64_Shdr, sh_type),
                       KAMGW_ELF_FIELD(Elf64_Shdr, sh_offset),
                       KAMGW_ELF_FIELD(Elf64_Shdr, sh_size),
                       KAMGW_ELF_FIELD(Elf64_Shdr, sh_addralign)};
#undef KAMGW_ELF_FIELD

std::uint64_t decode(std::span<const std::uint8_t> bytes, std::size_t offset, std::size_t size, bool big_endian) {
    std::uint64_t value = 0;
    for (std::size_t i = 0; i < size; ++i) {
        const std::uint8_t byte = bytes[offset + (big_endian ? i : size - 1 - i)];
        value = (value << 8) | byte;
    }
    return value;
}

std::uint64_t align_up(std::uint64_t n, std::uint64_t alignment) { return (n + alignment - 1) / alignment * alignment; }

class ElfFile {
public:
    explicit ElfFile(int fd, std::uint64_t size) : fd_(fd), size_(size) {}

    // The bytes at [offset, offset + count), or nothing when any of them lies outside the file
    // or the read budget is spent.
    std::optional<std::vector<std::uint8_t>> read(std::uint64_t offset, std::uint64_t count) {
        if (offset > size_ || count > size_ - offset || count > budget_) return std::nullopt;
        budget_ -= count;
        std::vector<std::uint8_t> out(count);
        std::size_t done = 0;
        while (done < count) {
            const ssize_t n = ::pread(fd_, out.data() + done, count - done, static_cast<off_t>(offset + done));
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) return std::nullopt;  // the file shrank under us
            done += static_cast<std::size_t>(n);
        }
        return out;
    }

private:
    int fd_;
    std::uint64_t size_;
    std::uint64_t budget_ = max_total_bytes;
};

// The description of the wanted note in one region of notes, if it is there.
std::optional<std::vector<std::uint8_t>> note_in(std::span<const std::uint8_t> region, std::uint64_t alignment,
                                                 bool big_endian, std::string_view owner, std::uint32_t type) {
    alignment = alignment == 8 ? 8 : 4;  // what the note producers use; anything else means 4
    std::uint64_t pos = 0;
    while (region.size() - pos >= 12) {
        const std::uint64_t name_size = decode(region, pos, 4, big_endian);
        const std::uint64_t desc_size = decode(region, pos + 4, 4, big_endian);
        const std::uint64_t note_type = decode(region, pos + 8, 4, big_endian);
        const std::uint64_t name_at = pos + 12;
        // Sizes are 32-bit, so these sums cannot overflow 64 bits.
        const std::uint64_t desc_at = name_at + align_up(name_size, alignment);
        const std::uint64_t next = desc_at + align_up(desc_size, alignment);
        if (desc_at + desc_size > region.size()) return std::nullopt;  // damaged: stop here
        if (note_type == type && name_size == owner.size() + 1 &&
            std::memcmp(region.data() + name_at, owner.data(), owner.size()) == 0 &&
            region[name_at + owner.size()] == 0)
            return std::vector<std::uint8_t>(region.begin() + static_cast<std::ptrdiff_t>(desc_at),
                                             region.begin() + static_cast<std::ptrdiff_t>(desc_at + desc_size));
        if (next >= region.size()) return std::nullopt;
        pos = next;
    }
    return std::nullopt;
}

struct Table {
    std::uint64_t offset, entry_size, count;
};

// Searches each entry of a header table that is a note region (`note_kind` in `kind`).
std::optional<std::vector<std::uint8_t>> search_table(ElfFile& elf, const Table& table, std::size_t min_entry_size,
                                                      Field kind, std::uint32_t note_kind, Field offset, Field size,
                                                      Field alignment, bool big_endian, std::string_view owner,
                                                      std::uint32_t type) {
    if (table.offset == 0 || table.entry_size < min_entry_size) return std::nullopt;
    for (std::uint64_t i = 0; i < table.count; ++i) {
        const auto entry = elf.read(table.offset + i * table.entry_size, min_entry_size);
        if (!entry) return std::nullopt;
        if (decode(*entry, kind.offset, kind.size, big_endian) != note_kind) continue;
        const std::uint64_t region_size = decode(*entry, size.offset, size.size, big_endian);
        if (region_size > max_region_bytes) continue;
        const auto region = elf.read(decode(*entry, offset.offset, offset.size, big_endian), region_size);
        if (!region) continue;
        if (auto desc =
                note_in(*region, decode(*entry, alignment.offset, alignment.size, big_endian), big_endian, owner, type))
            return desc;
    }
    return std::nullopt;
}

ElfNoteSearch unreadable(std::string problem) {
    ElfNoteSearch out;
    out.outcome = ElfNoteSearch::Outcome::unreadable;
    out.problem = std::move(problem);
    return out;
}

class FileDescriptor {
public:
    explicit FileDescriptor(int fd) : fd_(fd) {}
    ~FileDescriptor() {
        if (fd_ >= 0) ::close(fd_);
    }
    FileDescriptor(const FileDescriptor&) = delete;
    FileDescriptor& operator=(const FileDescriptor&) = delete;
    [[nodiscard]] int get() const { return fd_; }

private:
    int fd_;
};

}  // namespace

ElfNoteSearch find_elf_note(const std::filesystem::path& file, std::string_view owner, std::uint32_t type) {
    const FileDescriptor fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
    if (fd.get() < 0) return unreadable("cannot open it: " + std::generic_category().message(errno));
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) return unreadable("cannot read it: " + std::generic_category().message(errno));
    if (!S_ISREG(st.st_mode)) return unreadable("it is not a regular file");

    ElfFile elf(fd.get(), static_cast<std::uint64_t>(st.st_size));
    const auto ident = elf.read(0, EI_NIDENT);
    if (!ident || std::memcmp(ident->data(), ELFMAG, SELFMAG) != 0) return unreadable("it is not an ELF file");
    const std::uint8_t elf_class = (*ident)[EI_CLASS];
    const std::uint8_t data = (*ident)[EI_DATA];
    if ((elf_class != ELFCLASS32 && elf_class != ELFCLASS64) || (data != ELFDATA2LSB && data != ELFDATA2MSB))
        return unreadable("it is an ELF file of an unknown class or byte order");
    const Layout& l = elf_class == ELFCLASS64 ? elf64 : elf32;
    const bool big_endian = data == ELFDATA2MSB;
    const auto header = elf.read(0, l.ehdr_size);
    if (!header) return unreadable("it is a truncated ELF file");
    auto field = [&](Field f) { return decode(*header, f.offset, f.size, big_endian); };

    ElfNoteSearch out;
    out.big_endian = big_endian;
    auto desc = search_table(elf, {field(l.phoff), field(l.phentsize), field(l.phnum)}, l.phdr_size, l.p_type, PT_NOTE,
                             l.p_offset, l.p_filesz, l.p_align, big_endian, owner, type);
    if (!desc)
        desc = search_table(elf, {field(l.shoff), field(l.shentsize), field(l.shnum)}, l.shdr_size, l.sh_type, SHT_NOTE,
                            l.sh_offset, l.sh_size, l.sh_addralign, big_endian, owner, type);
    if (desc) {
        out.outcome = ElfNoteSearch::Outcome::found;
        out.desc = std::move(*desc);
    }
    return out;
}

}  // namespace kamgw::host
