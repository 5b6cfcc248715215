// The journal on its own: what survives a restart, a torn tail, bounds, and a disk that fails.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <csignal>
#include <filesystem>
#include <fstream>

#include "core/base/logging.hpp"
#include "core/bus/journal.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/unit/bus/recording_sink.hpp"

namespace kamgw::bus {
namespace {

using namespace std::chrono_literals;
using test::make_batch;
using test::range;
using test::seq_of;

JournalSettings on_disk(const kamgw::test::TempDir& dir) {
    JournalSettings s;
    s.dir = dir.path() / "journal";
    return s;
}

std::shared_ptr<Journal> open_journal(JournalSettings settings) {
    auto j = std::make_shared<Journal>(std::move(settings), base::make_logger("journal"));
    j->open();
    return j;
}

// The value each test batch carries, for every entry of a read.
std::vector<std::uint64_t> values(const JournalRead& r) {
    std::vector<std::uint64_t> out;
    for (const auto& e : r.entries) out.push_back(seq_of(*e.batch));
    return out;
}

std::vector<std::filesystem::path> segment_files(const std::filesystem::path& dir) {
    std::vector<std::filesystem::path> out;
    for (const auto& e : std::filesystem::directory_iterator(dir))
        if (e.path().extension() == ".journal") out.push_back(e.path());
    std::sort(out.begin(), out.end());
    return out;
}

TEST(Journal, InMemoryAppendsAreReadInOrderFromAnyPosition) {
    auto j = open_journal({});
    j->add_consumer("a", "");
    for (std::uint64_t i = 0; i < 10; ++i) EXPECT_EQ(j->append(make_batch(i)), i + 1);
    EXPECT_EQ(values(j->read(1, 100)), range(0, 10));
    EXPECT_EQ(values(j->read(4, 3)), (std::vector<std::uint64_t>{3, 4, 5}));
    EXPECT_TRUE(j->read(11, 5).entries.empty());
    EXPECT_EQ(j->backlog(1).batches, 10u);
    EXPECT_FALSE(j->stats().persistent);
}

TEST(Journal, EverythingSurvivesARestartExactlyAndTheNumberingGoesOn) {
    kamgw::test::TempDir dir;
    ReadingBatch original = make_batch(7);
    original.readings[0].value = Decimal{123456789, -3, true};
    original.meter.model = "MULTICAL 403";
    original.missing.push_back({0x56, "t_forward", MissingReason::bad_frame});
    {
        auto j = open_journal(on_disk(dir));
        j->add_consumer("a", dir / "a.cursor");
        j->append(original);
        for (std::uint64_t i = 1; i < 5; ++i) j->append(make_batch(i));
        j->close();
    }
    auto j = open_journal(on_disk(dir));
    j->add_consumer("a", dir / "a.cursor");
    EXPECT_EQ(j->head(), 6u);
    EXPECT_EQ(j->cursor("a"), 1u);
    const JournalRead r = j->read(1, 10);
    ASSERT_EQ(r.entries.size(), 5u);
    const ReadingBatch& back = *r.entries[0].batch;
    EXPECT_EQ(back.readings[0].value.mantissa, 123456789u);
    EXPECT_EQ(back.readings[0].value.exponent, -3);
    EXPECT_TRUE(back.readings[0].value.negative);
    EXPECT_EQ(back.meter.model, "MULTICAL 403");
    ASSERT_EQ(back.missing.size(), 1u);
    EXPECT_EQ(back.missing[0].reason, MissingReason::bad_frame);
    EXPECT_EQ(j->append(make_batch(5)), 6u);
}

TEST(Journal, ACursorResumesWhereItsSinkLeftOff) {
    kamgw::test::TempDir dir;
    {
        auto j = open_journal(on_disk(dir));
        j->add_consumer("a", dir / "a.cursor");
        for (std::uint64_t i = 0; i < 10; ++i) j->append(make_batch(i));
        j->ack("a", 6, true);
    }
    auto j = open_journal(on_disk(dir));
    j->add_consumer("a", dir / "a.cursor");
    EXPECT_EQ(j->cursor("a"), 6u);
    EXPECT_EQ(values(j->read(j->cursor("a"), 100)), range(5, 10));
}

TEST(Journal, ANewSinksPositionIsOnDiskBeforeItTakesAnything) {
    kamgw::test::TempDir dir;
    {
        auto j = open_journal(on_disk(dir));
        j->append(make_batch(0));
        j->add_consumer("late", dir / "late.cursor");  // starts at the head: 2
        for (std::uint64_t i = 1; i < 4; ++i) j->append(make_batch(i));
        // No ack and no close: as if killed now.
    }
    auto j = open_journal(on_disk(dir));
    j->add_consumer("late", dir / "late.cursor");
    EXPECT_EQ(values(j->read(j->cursor("late"), 100)), range(1, 4));
}

TEST(Journal, ADamagedCursorReplaysRatherThanSkips) {
    kamgw::test::TempDir dir;
    {
        auto j = open_journal(on_disk(dir));
        j->add_consumer("a", dir / "a.cursor");
        for (std::uint64_t i = 0; i < 4; ++i) j->append(make_batch(i));
        j->ack("a", 4, true);
    }
    std::ofstream(dir / "a.cursor", std::ios::trunc) << "kamgw-cursor 1 4 0\n";  // wrong checksum
    auto j = open_journal(on_disk(dir));
    j->add_consumer("a", dir / "a.cursor");
    EXPECT_EQ(j->cursor("a"), 1u);
}

// A power cut can stop a write anywhere in the last record: every cut leaves the records
// before it whole, counts one damaged record and never stops the journal from opening.
TEST(Journal, ATornLastRecordIsCutOffWhereverTheWriteStopped) {
    kamgw::test::TempDir dir;
    std::uintmax_t full = 0, before_last = 0;
    {
        auto j = open_journal(on_disk(dir));
        for (std::uint64_t i = 0; i < 3; ++i) j->append(make_batch(i));
        before_last = std::filesystem::file_size(segment_files(dir / "journal").at(0));
        j->append(make_batch(3));
        full = std::filesystem::file_size(segment_files(dir / "journal").at(0));
    }
    const auto segment = segment_files(dir / "journal").at(0);
    const std::string whole = kamgw::test::read_file(segment);
    for (std::uintmax_t cut = before_last + 1; cut < full; cut += 7) {
        std::ofstream(segment, std::ios::binary | std::ios::trunc) << whole.substr(0, cut);
        auto j = open_journal(on_disk(dir));
        EXPECT_EQ(j->stats().damaged, 1u) << "cut at " << cut;
        EXPECT_EQ(values(j->read(1, 10)), range(0, 3)) << "cut at " << cut;
        EXPECT_EQ(std::filesystem::file_size(segment), before_last) << "the torn tail is cut off";
        EXPECT_EQ(j->head(), 4u);
    }
}

TEST(Journal, AFlippedByteIsCaughtByTheChecksum) {
    kamgw::test::TempDir dir;
    {
        auto j = open_journal(on_disk(dir));
        for (std::uint64_t i = 0; i < 3; ++i) j->append(make_batch(i));
    }
    const auto segment = segment_files(dir / "journal").at(0);
    std::string bytes = kamgw::test::read_file(segment);
    bytes[bytes.size() - 5] ^= 0x20;  // inside the last payload
    std::ofstream(segment, std::ios::binary | std::ios::trunc) << bytes;
    auto j = open_journal(on_disk(dir));
    EXPECT_EQ(j->stats().damaged, 1u);
    EXPECT_EQ(values(j->read(1, 10)), range(0, 2));
}

TEST(Journal, SegmentsEverySinkHasAreDeletedTheNewestStays) {
    kamgw::test::TempDir dir;
    JournalSettings s = on_disk(dir);
    s.segment_bytes = 64 * 1024;
    auto j = open_journal(s);
    j->add_consumer("a", dir / "a.cursor");
    j->add_consumer("b", dir / "b.cursor");
    for (std::uint64_t i = 0; i < 1000; ++i) j->append(make_batch(i));
    const std::size_t segments = segment_files(s.dir).size();
    ASSERT_GT(segments, 3u);
    j->ack("a", j->head(), true);
    EXPECT_EQ(segment_files(s.dir).size(), segments) << "b has not taken them yet";
    j->ack("b", j->head(), true);
    EXPECT_EQ(segment_files(s.dir).size(), 1u);
}

TEST(Journal, TheSizeBoundDeletesTheOldestAndTheSinkLearnsHowMany) {
    kamgw::test::TempDir dir;
    JournalSettings s = on_disk(dir);
    s.max_bytes = 512 * 1024;  // segments of 128 KiB
    auto j = open_journal(s);
    j->add_consumer("slow", dir / "slow.cursor");
    constexpr std::uint64_t n = 3000;
    for (std::uint64_t i = 0; i < n; ++i) j->append(make_batch(i));
    const JournalStats st = j->stats();
    EXPECT_GT(st.evicted, 0u);
    EXPECT_LE(st.disk_bytes, s.max_bytes);
    // Whatever is gone is reported to the sink as skipped; everything else is still there.
    std::uint64_t next = j->cursor("slow"), delivered = 0, skipped = 0;
    for (;;) {
        JournalRead r = j->read(next, 500);
        skipped += r.skipped;
        if (r.entries.empty()) break;
        delivered += r.entries.size();
        next = r.entries.back().seq + 1;
    }
    EXPECT_EQ(skipped, st.evicted);
    EXPECT_EQ(delivered + skipped, n);
}

TEST(Journal, ReadingsPastTheAgeBoundLeave) {
    kamgw::test::TempDir dir;
    JournalSettings s = on_disk(dir);
    s.segment_bytes = 64 * 1024;
    s.max_age = std::chrono::hours(24);
    auto j = open_journal(s);
    j->add_consumer("a", dir / "a.cursor");
    for (std::uint64_t i = 0; i < 300; ++i) {
        ReadingBatch b = make_batch(i);
        b.finished = Clock::now() - std::chrono::hours(i < 200 ? 48 : 1);
        j->append(b);
    }
    j->maintain();
    const JournalRead r = j->read(1, 1000);
    ASSERT_FALSE(r.entries.empty());
    EXPECT_GT(r.skipped, 0u);
    EXPECT_LE(r.skipped, 200u);
    EXPECT_EQ(seq_of(*r.entries.back().batch), 299u);
    EXPECT_EQ(j->stats().evicted, r.skipped);
}

TEST(Journal, WithoutADiskTheMemoryBoundDropsTheOldestUndeliveredAndCountsThem) {
    JournalSettings s;
    s.memory_max_bytes = 64 * 1024;
    auto j = open_journal(s);
    j->add_consumer("a", "");
    for (std::uint64_t i = 0; i < 1000; ++i) j->append(make_batch(i));
    const JournalRead r = j->read(1, 2000);
    EXPECT_EQ(r.skipped, j->stats().dropped);
    EXPECT_GT(r.skipped, 0u);
    EXPECT_EQ(r.skipped + r.entries.size(), 1000u);
    EXPECT_EQ(seq_of(*r.entries.back().batch), 999u);
}

TEST(Journal, TheIntervalPolicySyncsLessThanOncePerBatch) {
    kamgw::test::TempDir dir;
    JournalSettings s = on_disk(dir);
    s.sync = JournalSync::interval;
    s.sync_interval = 1h;
    auto j = open_journal(s);
    for (std::uint64_t i = 0; i < 50; ++i) j->append(make_batch(i));
    EXPECT_EQ(j->stats().syncs, 0u);
    j->close();
    EXPECT_EQ(j->stats().syncs, 1u);
    auto again = open_journal(s);
    EXPECT_EQ(again->head(), 51u);
}

// A file size limit makes writes fail with EFBIG the way a full disk fails with ENOSPC: the
// journal keeps the batches in memory, tries again later without a file per attempt, and
// writes them all once it can.
TEST(Journal, AFailingDiskKeepsBatchesInMemoryAndWritesThemWhenItRecovers) {
    kamgw::test::TempDir dir;
    JournalSettings s = on_disk(dir);
    s.write_retry = 10ms;
    auto j = open_journal(s);
    j->add_consumer("a", dir / "a.cursor");
    j->append(make_batch(0));
    const auto file = segment_files(s.dir).at(0);
    const auto size = std::filesystem::file_size(file);

    struct rlimit saved {};
    ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &saved), 0);
    auto* previous = std::signal(SIGXFSZ, SIG_IGN);
    struct rlimit limit = saved;
    limit.rlim_cur = size + 10;
    ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &limit), 0);
    for (std::uint64_t i = 1; i < 30; ++i) {
        j->append(make_batch(i));
        std::this_thread::sleep_for(1ms);
        j->maintain();
    }
    const JournalStats failing = j->stats();
    ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &saved), 0);
    std::signal(SIGXFSZ, previous);

    EXPECT_FALSE(failing.writable);
    EXPECT_NE(failing.error.find("File too large"), std::string::npos) << failing.error;
    EXPECT_GE(failing.write_errors, 1u);
    EXPECT_EQ(failing.pending, 29u);
    EXPECT_EQ(segment_files(s.dir).size(), 1u) << "no file per attempt";
    EXPECT_EQ(std::filesystem::file_size(file), size) << "no partial record left behind";
    EXPECT_EQ(values(j->read(1, 100)), range(0, 30)) << "sinks still get them from memory";

    std::this_thread::sleep_for(20ms);
    j->maintain();
    const JournalStats recovered = j->stats();
    EXPECT_TRUE(recovered.writable);
    EXPECT_EQ(recovered.pending, 0u);
    j->close();
    auto again = open_journal(s);
    EXPECT_EQ(values(again->read(1, 100)), range(0, 30));
}

TEST(Journal, OnlyOneLaneAtATimeReadsAsAConsumer) {
    auto j = open_journal({});
    j->add_consumer("a", "");
    EXPECT_TRUE(j->attach("a", [] {}));
    EXPECT_FALSE(j->attach("a", [] {}));
    j->detach("a");
    EXPECT_TRUE(j->attach("a", [] {}));
    EXPECT_FALSE(j->attach("unknown", [] {}));
}

TEST(Journal, TrimKeepsTheNewestWithinABound) {
    auto j = open_journal({});
    j->add_consumer("a", "");
    for (std::uint64_t i = 0; i < 10; ++i) j->append(make_batch(i));
    EXPECT_EQ(j->trim(1, 3, 0), 8u);
    EXPECT_EQ(j->trim(9, 3, 0), 9u);
    EXPECT_EQ(j->trim(1, 0, 0), 1u);
    const std::uint64_t one = j->read(1, 1).entries.at(0).bytes;
    EXPECT_EQ(j->trim(1, 0, 2 * one + 1), 9u);
}

}  // namespace
}  // namespace kamgw::bus
