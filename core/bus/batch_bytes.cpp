#include "core/bus/batch_bytes.hpp"

#include <string>

namespace kamgw::bus {
namespace {

// Short strings live inside the std::string object (small-string optimisation), so only
// text beyond that capacity costs extra heap.
std::size_t heap_text(const std::string& s) {
    constexpr std::size_t inline_capacity = 15;
    return s.size() > inline_capacity ? s.size() + 1 : 0;
}

std::size_t identity_bytes(const MeterIdentity& m) {
    return heap_text(m.name) + heap_text(m.serial) + heap_text(m.model) + heap_text(m.firmware);
}

}  // namespace

std::size_t estimate_bytes(const ReadingBatch& batch) {
    std::size_t bytes = sizeof(ReadingBatch) + identity_bytes(batch.meter);
    bytes += batch.requested.size() * sizeof(std::uint16_t);
    for (const Reading& r : batch.readings) bytes += sizeof(Reading) + heap_text(r.key) + heap_text(r.name);
    for (const MissingRegister& m : batch.missing) bytes += sizeof(MissingRegister) + heap_text(m.key);
    return bytes;
}

}  // namespace kamgw::bus
