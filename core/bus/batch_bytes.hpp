// How much memory a queued ReadingBatch holds, for the lane's byte bound.
//
// An estimate, not an exact allocator count: object sizes plus the heap text of every
// string. It only has to grow with what a batch really holds, so that a queue bound in
// bytes means roughly what the user wrote in the configuration.
#pragma once

#include <cstddef>

#include "kamgw/reading.hpp"

namespace kamgw::bus {

std::size_t estimate_bytes(const ReadingBatch& batch);

}  // namespace kamgw::bus
