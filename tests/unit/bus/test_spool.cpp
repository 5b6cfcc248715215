#include <gtest/gtest.h>

#include <fstream>

#include "core/bus/batch_json.hpp"
#include "core/bus/spool.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/unit/bus/recording_sink.hpp"

namespace kamgw::bus {
namespace {

using test::make_batch;
using test::seq_of;

std::vector<ReadingBatch> batches(std::uint64_t from, std::uint64_t to) {
    std::vector<ReadingBatch> out;
    for (std::uint64_t i = from; i < to; ++i) out.push_back(make_batch(i));
    return out;
}

std::vector<std::uint64_t> seqs(const std::vector<ReadingBatch>& v) {
    std::vector<std::uint64_t> out;
    for (const auto& b : v) out.push_back(seq_of(b));
    return out;
}

std::vector<std::uint64_t> range(std::uint64_t from, std::uint64_t to) {
    std::vector<std::uint64_t> out;
    for (std::uint64_t i = from; i < to; ++i) out.push_back(i);
    return out;
}

std::size_t segment_files(const std::filesystem::path& dir) {
    std::size_t n = 0;
    for (const auto& e : std::filesystem::directory_iterator(dir)) n += e.path().extension() == ".jsonl";
    return n;
}

TEST(BusBatchJson, RoundTripsEveryField) {
    ReadingBatch b = make_batch(191757);
    b.meter.model = "MULTICAL 403";
    b.meter.firmware = "F1";
    b.meter.meter_type = 0x4A;
    b.started = TimePoint(std::chrono::nanoseconds(1'764'000'000'123'456'789));
    b.finished = b.started + std::chrono::milliseconds(850);
    b.on_demand = true;
    Reading& r = b.readings.front();
    r.name = "Volume (V1)";
    r.quantity = Quantity::volume;
    r.value = Decimal{191757, -2, true};
    r.unit_code = 40;
    r.time = b.finished;
    r.quality = Quality::stale;
    r.ha = HaHints{HaDeviceClass::water, HaStateClass::total_increasing, HaEntityCategory::diagnostic, 3, "mdi:water"};
    b.missing.push_back({0x3EC, "hour_counter", MissingReason::bad_frame});

    const std::string line = batch_to_json_line(b);
    EXPECT_EQ(line.find('\n'), std::string::npos);
    const auto back = batch_from_json_line(line);
    ASSERT_TRUE(back);
    EXPECT_EQ(back->meter.name, "house");
    EXPECT_EQ(back->meter.model, "MULTICAL 403");
    EXPECT_EQ(back->meter.firmware, "F1");
    EXPECT_EQ(back->meter.meter_type, 0x4A);
    EXPECT_EQ(back->started, b.started);
    EXPECT_EQ(back->finished, b.finished);
    EXPECT_TRUE(back->on_demand);
    EXPECT_EQ(back->requested, b.requested);
    ASSERT_EQ(back->readings.size(), 1u);
    const Reading& g = back->readings.front();
    EXPECT_EQ(g.register_id, r.register_id);
    EXPECT_EQ(g.key, "volume");
    EXPECT_EQ(g.name, "Volume (V1)");
    EXPECT_EQ(g.quantity, Quantity::volume);
    EXPECT_EQ(g.value, r.value);
    EXPECT_EQ(g.value.to_string(), "-1917.57");
    EXPECT_EQ(g.unit, Unit::cubic_metre);
    EXPECT_EQ(g.unit_code, 40);
    EXPECT_EQ(g.time, r.time);
    EXPECT_EQ(g.quality, Quality::stale);
    EXPECT_EQ(g.ha.device_class, HaDeviceClass::water);
    EXPECT_EQ(g.ha.state_class, HaStateClass::total_increasing);
    EXPECT_EQ(g.ha.entity_category, HaEntityCategory::diagnostic);
    EXPECT_EQ(g.ha.display_precision, 3);
    EXPECT_EQ(g.ha.icon, "mdi:water");
    ASSERT_EQ(back->missing.size(), 1u);
    EXPECT_EQ(back->missing[0].key, "hour_counter");
    EXPECT_EQ(back->missing[0].reason, MissingReason::bad_frame);
}

TEST(BusBatchJson, RefusesWhatIsNotABatchOfThisFormat) {
    EXPECT_FALSE(batch_from_json_line(""));
    EXPECT_FALSE(batch_from_json_line("{\"v\":1,\"meter\":{\"name\":\"ho"));  // torn write
    EXPECT_FALSE(batch_from_json_line("[1,2,3]"));
    std::string line = batch_to_json_line(make_batch(1));
    line.replace(line.find("\"v\":1"), 5, "\"v\":9");
    EXPECT_FALSE(batch_from_json_line(line));
}

TEST(BusSpool, ReturnsBatchesOldestFirstAcrossSegments) {
    kamgw::test::TempDir dir;
    Spool spool(dir / "spool", 1 << 30, 4);
    spool.open();
    EXPECT_FALSE(spool.has_unread());
    EXPECT_EQ(spool.append(batches(0, 10)), 0u);
    EXPECT_EQ(spool.batches(), 10u);
    EXPECT_EQ(segment_files(dir / "spool"), 3u);  // 4 + 4 + 2

    std::vector<std::uint64_t> got;
    while (auto segment = spool.take_oldest()) {
        for (auto s : seqs(segment->batches)) got.push_back(s);
        spool.consumed(segment->id);
    }
    EXPECT_EQ(got, range(0, 10));
    EXPECT_EQ(spool.batches(), 0u);
    EXPECT_EQ(segment_files(dir / "spool"), 0u);
}

TEST(BusSpool, ASecondRunFindsWhatTheFirstLeftInOrder) {
    kamgw::test::TempDir dir;
    {
        Spool spool(dir / "spool", 1 << 30, 3);
        spool.open();
        spool.append(batches(0, 5));
        spool.append(batches(5, 7));
    }
    Spool spool(dir / "spool", 1 << 30, 3);
    spool.open();
    EXPECT_EQ(spool.batches(), 7u);
    spool.append(batches(7, 9));  // new batches queue behind the old ones
    std::vector<std::uint64_t> got;
    while (auto segment = spool.take_oldest()) {
        for (auto s : seqs(segment->batches)) got.push_back(s);
        spool.consumed(segment->id);
    }
    EXPECT_EQ(got, range(0, 9));
}

TEST(BusSpool, ASegmentBeingReplayedGetsNoNewBatches) {
    kamgw::test::TempDir dir;
    Spool spool(dir / "spool", 1 << 30, 100);
    spool.open();
    spool.append(batches(0, 3));
    auto first = spool.take_oldest();
    ASSERT_TRUE(first);
    spool.append(batches(3, 5));  // while 0..2 are being replayed
    EXPECT_TRUE(spool.has_unread());
    spool.consumed(first->id);
    auto second = spool.take_oldest();
    ASSERT_TRUE(second);
    EXPECT_EQ(seqs(second->batches), range(3, 5));
}

TEST(BusSpool, TheByteBoundDeletesTheOldestSegmentsAndCountsThem) {
    kamgw::test::TempDir dir;
    const std::size_t line = batch_to_json_line(make_batch(0)).size() + 1;
    Spool spool(dir / "spool", line * 6, 2);
    spool.open();
    EXPECT_EQ(spool.append(batches(0, 6)), 0u);
    EXPECT_EQ(spool.append(batches(6, 10)), 4u);  // two oldest segments of two
    EXPECT_LE(spool.bytes(), line * 6);
    std::vector<std::uint64_t> got;
    while (auto segment = spool.take_oldest()) {
        for (auto s : seqs(segment->batches)) got.push_back(s);
        spool.consumed(segment->id);
    }
    EXPECT_EQ(got, range(4, 10));
}

TEST(BusSpool, RewriteKeepsOnlyWhatWasNotDeliveredYet) {
    kamgw::test::TempDir dir;
    {
        Spool spool(dir / "spool", 1 << 30, 100);
        spool.open();
        spool.append(batches(0, 6));
        auto segment = spool.take_oldest();
        ASSERT_TRUE(segment);
        // 0..3 were delivered before shutdown.
        std::vector<ReadingBatch> rest(segment->batches.begin() + 4, segment->batches.end());
        spool.rewrite(segment->id, rest);
        EXPECT_EQ(spool.batches(), 2u);
    }
    Spool spool(dir / "spool", 1 << 30, 100);
    spool.open();
    auto segment = spool.take_oldest();
    ASSERT_TRUE(segment);
    EXPECT_EQ(seqs(segment->batches), range(4, 6));
}

TEST(BusSpool, ATornLastLineIsSkippedAndCounted) {
    kamgw::test::TempDir dir;
    {
        Spool spool(dir / "spool", 1 << 30, 100);
        spool.open();
        spool.append(batches(0, 2));
    }
    std::filesystem::path file;
    for (const auto& e : std::filesystem::directory_iterator(dir / "spool"))
        if (e.path().extension() == ".jsonl") file = e.path();
    ASSERT_FALSE(file.empty());
    {
        std::ofstream out(file, std::ios::app);
        out << "{\"v\":1,\"meter\":{\"na\n";
    }
    Spool spool(dir / "spool", 1 << 30, 100);
    spool.open();
    auto segment = spool.take_oldest();
    ASSERT_TRUE(segment);
    EXPECT_EQ(seqs(segment->batches), range(0, 2));
    EXPECT_EQ(segment->unreadable, 1u);
}

TEST(BusSpool, AnUnusableFolderIsReportedOnOpen) {
    kamgw::test::TempDir dir;
    const auto file = dir.write("not-a-folder", "x");
    Spool spool(file / "spool", 1 << 30, 100);
    EXPECT_THROW(spool.open(), std::filesystem::filesystem_error);
}

TEST(BusSpool, OneFolderServesOneSpoolAtATime) {
    kamgw::test::TempDir dir;
    auto first = std::make_unique<Spool>(dir / "spool", 1 << 30);
    ASSERT_TRUE(first->open());
    first->append(batches(0, 2));
    Spool second(dir / "spool", 1 << 30);
    EXPECT_FALSE(second.open()) << "the folder is locked by the first";
    first.reset();
    ASSERT_TRUE(second.open());
    EXPECT_EQ(second.batches(), 2u);
}

}  // namespace
}  // namespace kamgw::bus
