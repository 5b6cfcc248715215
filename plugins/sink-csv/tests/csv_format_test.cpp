#include "csv_format.hpp"

#include <gtest/gtest.h>

#include <chrono>

namespace kamgw::csv {
namespace {

using namespace std::chrono;

TimePoint at(int y, unsigned m, unsigned d, int hh, int mm, int ss) {
    return sys_days{year{y} / month{m} / day{d}} + hours{hh} + minutes{mm} + seconds{ss};
}

Reading reading(std::string key, std::uint16_t id, Decimal value, Unit unit, TimePoint time,
                Quality quality = Quality::ok) {
    Reading r;
    r.key = std::move(key);
    r.register_id = id;
    r.value = value;
    r.unit = unit;
    r.time = time;
    r.quality = quality;
    return r;
}

ReadingBatch batch(std::string name, std::string serial, std::vector<Reading> readings) {
    ReadingBatch b;
    b.meter.name = std::move(name);
    b.meter.serial = std::move(serial);
    b.readings = std::move(readings);
    return b;
}

TEST(CsvFormat, HeaderNamesTheColumnsInOrder) {
    EXPECT_EQ(format_header(), "time,meter,serial,key,id,value,unit,quality\r\n");
    EXPECT_EQ(format_header({.line_end = "\n"}), "time,meter,serial,key,id,value,unit,quality\n");
}

TEST(CsvFormat, OneRecordPerReadingWithExactValues) {
    const TimePoint t = at(2026, 11, 25, 14, 3, 7);
    std::vector<ReadingBatch> batches = {
        batch("house", "12345678",
              {reading("heat_energy", 60, {191757, -2, false}, Unit::kWh, t),
               reading("volume", 68, {150, -2, false}, Unit::cubic_metre, t + seconds(1)),
               reading("t_diff", 88, {5, -2, true}, Unit::kelvin, t + seconds(2))}),
        batch("garage", "87654321", {reading("hour_counter", 1004, {87654, 0, false}, Unit::hour, t)}),
    };
    EXPECT_EQ(format_rows(batches),
              "2026-11-25T14:03:07Z,house,12345678,heat_energy,60,1917.57,kWh,ok\r\n"
              "2026-11-25T14:03:08Z,house,12345678,volume,68,1.50,m³,ok\r\n"
              "2026-11-25T14:03:09Z,house,12345678,t_diff,88,-0.05,K,ok\r\n"
              "2026-11-25T14:03:07Z,garage,87654321,hour_counter,1004,87654,h,ok\r\n");
}

TEST(CsvFormat, NoReadingsNoRecords) {
    std::vector<ReadingBatch> batches = {batch("house", "1", {})};
    EXPECT_EQ(format_rows(batches), "");
    EXPECT_EQ(format_rows({}), "");
}

TEST(CsvFormat, ErrorQualityLeavesTheValueEmptyStaleKeepsIt) {
    const TimePoint t = at(2026, 1, 2, 3, 4, 5);
    std::vector<ReadingBatch> batches = {
        batch("m", "1",
              {reading("flow", 74, {42, 0, false}, Unit::litre_per_hour, t, Quality::error),
               reading("power", 80, {123, -1, false}, Unit::kW, t, Quality::stale)})};
    EXPECT_EQ(format_rows(batches, {.line_end = "\n"}),
              "2026-01-02T03:04:05Z,m,1,flow,74,,l/h,error\n"
              "2026-01-02T03:04:05Z,m,1,power,80,12.3,kW,stale\n");
}

TEST(CsvFormat, QuotesOnlyFieldsThatNeedIt) {
    EXPECT_EQ(escape_field("plain"), "plain");
    EXPECT_EQ(escape_field(""), "");
    EXPECT_EQ(escape_field("a,b"), "\"a,b\"");
    EXPECT_EQ(escape_field("say \"hi\""), "\"say \"\"hi\"\"\"");
    EXPECT_EQ(escape_field("\""), "\"\"\"\"");
    EXPECT_EQ(escape_field("two\nlines"), "\"two\nlines\"");
    EXPECT_EQ(escape_field("cr\rhere"), "\"cr\rhere\"");
    EXPECT_EQ(escape_field("  spaces stay  "), "  spaces stay  ");
    EXPECT_EQ(escape_field("°C"), "°C");
}

TEST(CsvFormat, MeterNamesWithSpecialCharactersAreQuotedInEveryRecord) {
    const TimePoint t = at(2026, 6, 1, 0, 0, 0);
    std::vector<ReadingBatch> batches = {batch(
        "Flat 3, \"upstairs\"\r\nnorth", "",
        {reading("volume", 68, {7, 0, false}, Unit::litre, t), reading("info", 99, {0, 0, false}, Unit::bitfield, t)})};
    EXPECT_EQ(format_rows(batches),
              "2026-06-01T00:00:00Z,\"Flat 3, \"\"upstairs\"\"\r\nnorth\",,volume,68,7,l,ok\r\n"
              "2026-06-01T00:00:00Z,\"Flat 3, \"\"upstairs\"\"\r\nnorth\",,info,99,0,Bitfield,ok\r\n");
}

TEST(CsvFormat, TimesAreUtcWholeSecondsTruncated) {
    EXPECT_EQ(format_utc(at(1999, 12, 31, 23, 59, 59) + milliseconds(999)), "1999-12-31T23:59:59Z");
    EXPECT_EQ(format_utc(TimePoint{}), "1970-01-01T00:00:00Z");
    EXPECT_EQ(format_utc(TimePoint{} - milliseconds(1)), "1969-12-31T23:59:59Z");
    EXPECT_EQ(format_utc(at(2028, 2, 29, 12, 0, 0)), "2028-02-29T12:00:00Z");
}

// A reader for what format_rows writes: splits RFC 4180 text back into records, so the test
// checks that quoting round-trips rather than a particular spelling.
std::vector<std::vector<std::string>> parse_csv(std::string_view text) {
    std::vector<std::vector<std::string>> records(1, std::vector<std::string>(1));
    bool quoted = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (quoted) {
            if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
                records.back().back() += '"';
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else {
                records.back().back() += c;
            }
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            records.back().emplace_back();
        } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
            records.emplace_back(1);
            ++i;
        } else {
            records.back().back() += c;
        }
    }
    records.pop_back();  // after the last CRLF
    return records;
}

TEST(CsvFormat, AwkwardFieldsRoundTrip) {
    const std::vector<std::string> names = {"a,b", "\"", "\"\"", "x\r\ny", "\n", ",", "end\"", "ok"};
    std::vector<ReadingBatch> batches;
    for (const auto& n : names) batches.push_back(batch(n, n, {reading(n, 1, {1, 0, false}, Unit::none, {})}));
    const auto records = parse_csv(format_header() + format_rows(batches));
    ASSERT_EQ(records.size(), names.size() + 1);
    EXPECT_EQ(records[0],
              (std::vector<std::string>{"time", "meter", "serial", "key", "id", "value", "unit", "quality"}));
    for (std::size_t i = 0; i < names.size(); ++i) {
        ASSERT_EQ(records[i + 1].size(), 8u) << names[i];
        EXPECT_EQ(records[i + 1][1], names[i]);
        EXPECT_EQ(records[i + 1][2], names[i]);
        EXPECT_EQ(records[i + 1][3], names[i]);
    }
}

}  // namespace
}  // namespace kamgw::csv
