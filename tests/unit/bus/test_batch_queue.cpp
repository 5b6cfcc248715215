#include <gtest/gtest.h>

#include <chrono>
#include <vector>

#include "core/bus/batch_bytes.hpp"
#include "core/bus/batch_queue.hpp"
#include "tests/unit/bus/recording_sink.hpp"

namespace kamgw::bus {
namespace {

using test::make_batch;
using test::seq_of;

std::vector<std::uint64_t> seqs(const std::vector<BatchQueue::Entry>& entries) {
    std::vector<std::uint64_t> out;
    for (const auto& e : entries) out.push_back(seq_of(e.batch));
    return out;
}

const auto now = std::chrono::steady_clock::now();

TEST(BusBatchQueue, DropsTheOldestWhenTheCountBoundIsReached) {
    BatchQueue q(3, 1 << 30);
    std::size_t dropped = 0;
    for (std::uint64_t i = 0; i < 5; ++i) dropped += q.push(make_batch(i), now);
    EXPECT_EQ(dropped, 2u);
    EXPECT_EQ(q.size(), 3u);
    EXPECT_EQ(seqs(q.take_all()), (std::vector<std::uint64_t>{2, 3, 4}));
    EXPECT_EQ(q.bytes(), 0u);
}

TEST(BusBatchQueue, DropsTheOldestWhenTheByteBoundIsReached) {
    const std::size_t one = estimate_bytes(make_batch(0));
    BatchQueue q(1000, one * 2 + one / 2);  // room for two batches, not three
    EXPECT_EQ(q.push(make_batch(0), now), 0u);
    EXPECT_EQ(q.push(make_batch(1), now), 0u);
    EXPECT_EQ(q.push(make_batch(2), now), 1u);
    EXPECT_EQ(q.bytes(), one * 2);
    EXPECT_EQ(seqs(q.take_all()), (std::vector<std::uint64_t>{1, 2}));
}

TEST(BusBatchQueue, KeepsOneBatchLargerThanTheByteBound) {
    BatchQueue q(10, 1);
    EXPECT_EQ(q.push(make_batch(0), now), 0u);
    EXPECT_EQ(q.push(make_batch(1), now), 1u);
    EXPECT_EQ(seqs(q.take_all()), (std::vector<std::uint64_t>{1}));
}

TEST(BusBatchQueue, PushFrontRestoresOrderAndDropsFromTheFrontWhenOverfull) {
    BatchQueue q(4, 1 << 30);
    for (std::uint64_t i = 0; i < 4; ++i) q.push(make_batch(i), now);
    auto head = q.take(2);  // 0, 1 in flight
    EXPECT_EQ(seqs(head), (std::vector<std::uint64_t>{0, 1}));
    q.push(make_batch(4), now);
    q.push(make_batch(5), now);  // queue: 2 3 4 5 (full)
    // The write failed: 0 and 1 go back to the head; they are now the oldest and are dropped.
    EXPECT_EQ(q.push_front(std::move(head)), 2u);
    EXPECT_EQ(seqs(q.take_all()), (std::vector<std::uint64_t>{2, 3, 4, 5}));

    for (std::uint64_t i = 10; i < 13; ++i) q.push(make_batch(i), now);
    auto again = q.take(2);
    EXPECT_EQ(q.push_front(std::move(again)), 0u);
    EXPECT_EQ(seqs(q.take_all()), (std::vector<std::uint64_t>{10, 11, 12}));
}

TEST(BusBatchQueue, ByteEstimateGrowsWithContent) {
    ReadingBatch small = make_batch(1);
    ReadingBatch big = make_batch(1);
    for (int i = 0; i < 20; ++i) {
        Reading r = big.readings.front();
        r.name = "a register name long enough to leave the inline buffer";
        big.readings.push_back(r);
    }
    big.missing.push_back({0x3EC, "hour_counter", MissingReason::no_answer});
    EXPECT_GT(estimate_bytes(small), sizeof(ReadingBatch));
    EXPECT_GT(estimate_bytes(big), estimate_bytes(small) + 20 * sizeof(Reading));
}

TEST(BusBatchQueue, RemembersWhenTheOldestArrived) {
    BatchQueue q(10, 1 << 30);
    const auto t0 = now, t1 = now + std::chrono::seconds(1);
    q.push(make_batch(0), t0);
    q.push(make_batch(1), t1);
    EXPECT_EQ(q.oldest_enqueued(), t0);
    q.take(1);
    EXPECT_EQ(q.oldest_enqueued(), t1);
}

}  // namespace
}  // namespace kamgw::bus
