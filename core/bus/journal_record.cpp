#include "core/bus/journal_record.hpp"

#include <boost/crc.hpp>
#include <cstring>

namespace kamgw::bus {
namespace {

constexpr char magic[4] = {'K', 'J', 'R', '1'};

void put_le(std::string& out, std::uint64_t value, int bytes) {
    for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xFF));
}

std::uint64_t get_le(std::span<const char> in, std::size_t at, int bytes) {
    std::uint64_t value = 0;
    for (int i = 0; i < bytes; ++i) value |= std::uint64_t(static_cast<unsigned char>(in[at + i])) << (8 * i);
    return value;
}

std::uint32_t checksum(std::span<const char> covered_header, std::string_view payload) {
    boost::crc_32_type crc;
    crc.process_bytes(covered_header.data(), covered_header.size());
    crc.process_bytes(payload.data(), payload.size());
    return crc.checksum();
}

}  // namespace

std::string encode_journal_record(std::uint64_t seq, std::int64_t time_ns, std::string_view payload) {
    std::string out;
    out.reserve(journal_header_bytes + payload.size());
    out.append(magic, sizeof magic);
    put_le(out, payload.size(), 4);
    put_le(out, seq, 8);
    put_le(out, static_cast<std::uint64_t>(time_ns), 8);
    const std::uint32_t crc = checksum(std::span<const char>(out).subspan(4, 20), payload);
    put_le(out, crc, 4);
    out.append(payload);
    return out;
}

std::optional<JournalRecordHeader> decode_journal_header(std::span<const char> header) {
    if (header.size() < journal_header_bytes || std::memcmp(header.data(), magic, sizeof magic) != 0)
        return std::nullopt;
    JournalRecordHeader h;
    h.payload_bytes = static_cast<std::uint32_t>(get_le(header, 4, 4));
    h.seq = get_le(header, 8, 8);
    h.time_ns = static_cast<std::int64_t>(get_le(header, 16, 8));
    h.crc = static_cast<std::uint32_t>(get_le(header, 24, 4));
    if (h.payload_bytes == 0 || h.payload_bytes > journal_max_payload) return std::nullopt;
    return h;
}

bool journal_payload_matches(const JournalRecordHeader& header, std::string_view payload) {
    std::string covered;
    put_le(covered, header.payload_bytes, 4);
    put_le(covered, header.seq, 8);
    put_le(covered, static_cast<std::uint64_t>(header.time_ns), 8);
    return payload.size() == header.payload_bytes && checksum(covered, payload) == header.crc;
}

}  // namespace kamgw::bus
