#include <gtest/gtest.h>

#include "plugins/sink-ha-websocket/hourly_rows.hpp"
#include "tests/support/temp_dir.hpp"

namespace {
using namespace kamgw;
using namespace kamgw::ha_websocket;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

const TimePoint may1 = TimePoint(std::chrono::sys_days(std::chrono::year{2024} / 5 / 1));
HourStart hs(int h) { return std::chrono::duration_cast<seconds>((may1 + hours(h)).time_since_epoch()).count(); }
Decimal dec(const char* text) { return *Decimal::parse(text); }

TEST(HourBucketing, ReadingClosesTheHourThatEndedBeforeIt) {
    EXPECT_EQ(row_closed_by(may1 + hours(10) + seconds(5)), hs(9));
    EXPECT_EQ(row_closed_by(may1 + hours(10)), hs(9));
    EXPECT_EQ(row_closed_by(may1 + hours(10) + minutes(59)), hs(9));
    EXPECT_EQ(hour_floor(may1 + hours(3) + minutes(30)), hs(3));
    EXPECT_EQ(iso_hour(hs(9)), "2024-05-01T09:00:00+00:00");
    EXPECT_EQ(iso_hour(hs(-1)), "2024-04-30T23:00:00+00:00");
    EXPECT_EQ(hour_floor(TimePoint(seconds(-1))), -3600) << "before 1970 rounds down too";
}

TEST(HourBucketing, UnfinishedHourIsNotFinished) {
    EXPECT_FALSE(hour_finished(hs(10), may1 + hours(10) + minutes(59)));
    EXPECT_TRUE(hour_finished(hs(10), may1 + hours(11)));
}

TEST(HourJournal, FirstReadingAfterTheHourWinsAndSurvivesReload) {
    kamgw::test::TempDir dir;
    HourJournal j(dir / "j.hours", hours(24 * 32));
    EXPECT_TRUE(j.record(may1 + hours(10) + seconds(5), dec("100.125")));
    EXPECT_FALSE(j.record(may1 + hours(10) + minutes(30), dec("100.500"))) << "same row: the earlier one is closer";
    EXPECT_TRUE(j.record(may1 + hours(11) + seconds(5), dec("101.000")));
    HourJournal again(dir / "j.hours", hours(24 * 32));
    again.load();
    ASSERT_EQ(again.size(), 2u);
    EXPECT_DOUBLE_EQ(again.row(hs(9))->state, 100.125);
    EXPECT_DOUBLE_EQ(again.row(hs(10))->state, 101.0);
}

TEST(HourJournal, UnalignedPollsAreInterpolatedAtTheHoursEnd) {
    kamgw::test::TempDir dir;
    HourJournal j(dir / "j.hours", hours(24 * 32));
    // The default hourly poll, started at 09:49: no reading before 10:00, so no 09:00 row.
    EXPECT_FALSE(j.record(may1 + hours(9) + minutes(49), dec("100.000")));
    EXPECT_FALSE(j.row(hs(9)));
    // 10:49: the 10:00 end lies 11 minutes after 09:49 of 60: 100 + 1.2 × 11/60.
    EXPECT_TRUE(j.record(may1 + hours(10) + minutes(49), dec("101.200")));
    ASSERT_TRUE(j.row(hs(9)));
    EXPECT_DOUBLE_EQ(j.row(hs(9))->state, 100.220);
    EXPECT_TRUE(j.row(hs(9))->interpolated);
    EXPECT_FALSE(j.row(hs(10))) << "the 10:00 hour ends at 11:00, not read yet";
}

TEST(HourJournal, AReadingAtTheHourIsTakenAsMeasured) {
    kamgw::test::TempDir dir;
    HourJournal j(dir / "j.hours", hours(24 * 32));
    EXPECT_TRUE(j.record(may1 + hours(10) + seconds(3), dec("100.000")));
    EXPECT_FALSE(j.row(hs(9))->interpolated);
    // Just before the hour counts too: the poll that ends at 10:59:40 closes the 10:00 hour.
    EXPECT_TRUE(j.record(may1 + hours(10) + minutes(59) + seconds(40), dec("101.000")));
    EXPECT_DOUBLE_EQ(j.row(hs(10))->state, 101.0);
    EXPECT_FALSE(j.row(hs(10))->interpolated);
    EXPECT_FALSE(j.record(may1 + hours(11) + seconds(10), dec("101.010"))) << "11:00 was decided by 10:59:40";
    EXPECT_DOUBLE_EQ(j.row(hs(10))->state, 101.0);
}

TEST(HourJournal, SparsePollsFillEveryHourBetweenThemAndNoneOutside) {
    kamgw::test::TempDir dir;
    HourJournal j(dir / "j.hours", hours(24 * 32));
    j.record(may1 + hours(10) + minutes(30), dec("10.0"));
    j.record(may1 + hours(14) + minutes(30), dec("14.0"));
    // Ends 11:00 … 14:00 lie between the readings: 10.5, 11.5, 12.5, 13.5.
    ASSERT_EQ(j.size(), 4u);
    EXPECT_DOUBLE_EQ(j.row(hs(10))->state, 10.5);
    EXPECT_DOUBLE_EQ(j.row(hs(13))->state, 13.5);
    EXPECT_FALSE(j.row(hs(9))) << "10:00 has no reading before it";
    EXPECT_FALSE(j.row(hs(14))) << "15:00 has none after it yet";
    for (const auto& row : j.rows()) EXPECT_TRUE(row.interpolated);
}

TEST(HourJournal, TheLastReadingSurvivesARestartAndARepeatedOneIsIgnored) {
    kamgw::test::TempDir dir;
    {
        HourJournal j(dir / "j.hours", hours(24 * 32));
        j.record(may1 + hours(9) + minutes(49), dec("100.000"));
    }
    HourJournal again(dir / "j.hours", hours(24 * 32));
    again.load();
    EXPECT_FALSE(again.record(may1 + hours(9) + minutes(49), dec("100.000"))) << "delivered again after a restart";
    EXPECT_TRUE(again.record(may1 + hours(10) + minutes(49), dec("101.200")));
    EXPECT_DOUBLE_EQ(again.row(hs(9))->state, 100.220);
    HourJournal third(dir / "j.hours", hours(24 * 32));
    third.load();
    ASSERT_TRUE(third.row(hs(9)));
    EXPECT_TRUE(third.row(hs(9))->interpolated) << "the mark is kept in the file";
}

TEST(HourJournal, InterpolationKeepsTheMetersResolution) {
    const auto v = interpolate(0, dec("1.000"), 3'600'000, dec("2.000"), 1'200'000);
    EXPECT_EQ(v.to_string(), "1.333");
    EXPECT_EQ(interpolate(0, dec("5"), 10, dec("7"), 5).to_string(), "6");
}

TEST(HourJournal, KeepsOnlyItsRetentionAndCompacts) {
    kamgw::test::TempDir dir;
    HourJournal j(dir / "j.hours", hours(48));
    for (int h = 1; h <= 200; ++h) j.record(may1 + hours(h) + seconds(1), dec("1.0"));
    EXPECT_EQ(j.size(), 49u);
    HourJournal again(dir / "j.hours", hours(48));
    again.load();
    EXPECT_LE(again.size(), 2 * 49u + 48);
    EXPECT_TRUE(again.row(hs(199)));
}

TEST(SumRows, SumIsContinuousFromTheFirstBaseline) {
    SumLedger ledger;
    std::vector<JournalRow> journal = {{hs(0), 100.0}, {hs(1), 100.5}, {hs(2), 101.25}, {hs(4), 102.0}};
    const auto rows = build_rows(journal, std::nullopt, hs(-100), may1 + hours(6), ledger, std::nullopt);
    ASSERT_EQ(rows.size(), 4u);
    EXPECT_DOUBLE_EQ(rows[0].sum, 0.0);
    EXPECT_DOUBLE_EQ(rows[1].sum, 0.5);
    EXPECT_DOUBLE_EQ(rows[2].sum, 1.25);
    EXPECT_DOUBLE_EQ(rows[3].sum, 2.0) << "a missing hour: the next row's change covers the gap";
    EXPECT_TRUE(ledger.has_baseline);
    EXPECT_DOUBLE_EQ(ledger.baseline, 100.0);
}

TEST(SumRows, OnlyAfterTheResumePointInsideTheWindowAndFinished) {
    SumLedger ledger{true, 100.0, 0.0};
    std::vector<JournalRow> journal = {{hs(0), 100.0}, {hs(1), 101.0}, {hs(2), 102.0}, {hs(3), 103.0}, {hs(5), 105.0}};
    const auto rows = build_rows(journal, hs(1), hs(0), may1 + hours(5) + minutes(59), ledger, 101.0);
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].start, hs(2));
    EXPECT_EQ(rows[1].start, hs(3)) << "05:00 ends at 06:00, after now";
    const auto windowed = build_rows(journal, std::nullopt, hs(3), may1 + hours(10), ledger, std::nullopt);
    ASSERT_EQ(windowed.size(), 2u);
    EXPECT_EQ(windowed[0].start, hs(3));
}

TEST(SumRows, MeterResetHoldsTheSum) {
    SumLedger ledger{true, 100.0, 0.0};
    std::vector<JournalRow> journal = {{hs(0), 110.0}, {hs(1), 2.0}, {hs(2), 3.5}};
    const auto rows = build_rows(journal, std::nullopt, hs(-10), may1 + hours(5), ledger, std::nullopt);
    EXPECT_DOUBLE_EQ(rows[0].sum, 10.0);
    EXPECT_DOUBLE_EQ(rows[1].sum, 10.0);
    EXPECT_DOUBLE_EQ(rows[2].sum, 11.5);
}

TEST(SumRows, SumsCarryNoBinaryNoise) {
    SumLedger ledger;
    std::vector<JournalRow> journal = {{hs(0), 1000.0}, {hs(1), 1234.567}};
    const auto rows = build_rows(journal, std::nullopt, hs(-10), may1 + hours(5), ledger, std::nullopt);
    EXPECT_EQ(rows[1].sum, 234.567);
}

TEST(Rebase, HomeAssistantsSumWinsWhenTheyDiffer) {
    SumLedger ledger{true, 100.0, 0.0};
    EXPECT_EQ(rebase_on(ledger, {hs(3), 103.0, 3.0}, std::nullopt), RebaseOutcome::continued);
    EXPECT_DOUBLE_EQ(ledger.offset, 0.0);
    EXPECT_EQ(rebase_on(ledger, {hs(3), 103.0, 500.0}, std::nullopt), RebaseOutcome::rebased);
    EXPECT_DOUBLE_EQ(ledger.sum_for(103.0), 500.0);
    EXPECT_DOUBLE_EQ(ledger.sum_for(104.5), 501.5);
    SumLedger fresh;
    EXPECT_EQ(rebase_on(fresh, {hs(3), std::nullopt, 42.0}, 7.0), RebaseOutcome::started);
    EXPECT_DOUBLE_EQ(fresh.sum_for(8.0), 43.0);
    EXPECT_EQ(rebase_on(fresh, {hs(3), std::nullopt, std::nullopt}, std::nullopt), RebaseOutcome::no_state);
}

TEST(Ledger, SavedAndLoaded) {
    kamgw::test::TempDir dir;
    EXPECT_FALSE(load_ledger(dir / "none.ledger").has_baseline);
    const SumLedger l{true, 1234.567, -0.125};
    save_ledger(dir / "x.ledger", l);
    EXPECT_EQ(load_ledger(dir / "x.ledger"), l);
}

TEST(Chunking, AtMost500RowsPerMessage) {
    std::vector<StatRow> rows(1201);
    for (std::size_t i = 0; i < rows.size(); ++i) rows[i].start = static_cast<HourStart>(i) * 3600;
    const auto chunks = chunk_rows(rows);
    ASSERT_EQ(chunks.size(), 3u);
    EXPECT_EQ(chunks[0].size(), 500u);
    EXPECT_EQ(chunks[1].size(), 500u);
    EXPECT_EQ(chunks[2].size(), 201u);
    EXPECT_EQ(chunks[1].front().start, 500 * 3600);
    EXPECT_EQ(chunk_rows(std::span<const StatRow>(rows.data(), 500)).size(), 1u);
    EXPECT_TRUE(chunk_rows({}).empty());
}

}  // namespace
