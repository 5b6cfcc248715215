// One record of the reading journal on disk: a fixed header, then the batch as a JSON line.
//
//   offset  size  field
//        0     4  magic "KJR1" (0x4B 0x4A 0x52 0x31)
//        4     4  payload length in bytes (little-endian)
//        8     8  sequence number (little-endian), strictly increasing over the journal
//       16     8  the batch's poll time, nanoseconds since the epoch (little-endian), for age bounds
//       24     4  CRC-32 (ISO-HDLC, as zlib) over bytes 4..23 and the payload (little-endian)
//       28     n  payload: batch_to_json_line() of the batch
//
// The checksum covers the length, so a torn or overwritten header is caught as surely as a
// torn payload; the magic lets a reader tell an unwritten (zeroed) tail from a record.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace kamgw::bus {

inline constexpr std::size_t journal_header_bytes = 28;
// A batch of one poll is a few kilobytes; anything claiming more is a damaged header.
inline constexpr std::uint32_t journal_max_payload = 16u * 1024 * 1024;

struct JournalRecordHeader {
    std::uint32_t payload_bytes = 0;
    std::uint64_t seq = 0;
    std::int64_t time_ns = 0;
    std::uint32_t crc = 0;
};

// Header and payload in one buffer, ready for a single write().
std::string encode_journal_record(std::uint64_t seq, std::int64_t time_ns, std::string_view payload);

// nullopt when the bytes are not a header: wrong magic or an impossible length.
std::optional<JournalRecordHeader> decode_journal_header(std::span<const char> header);

// Whether `payload` is what the header's checksum was computed over.
bool journal_payload_matches(const JournalRecordHeader& header, std::string_view payload);

}  // namespace kamgw::bus
