#include "plugins/sink-influxdb/line_protocol.hpp"

#include <gtest/gtest.h>

#include "plugins/sink-influxdb/tests/test_batches.hpp"

namespace kamgw::influxdb {
namespace {

using namespace test;

std::string measurement(std::string_view s) {
    std::string out;
    append_measurement(out, s);
    return out;
}
std::string key(std::string_view s) {
    std::string out;
    append_tag_or_field_key(out, s);
    return out;
}
std::string string_field(std::string_view s) {
    std::string out;
    append_string_field_value(out, s);
    return out;
}

TEST(InfluxLineProtocol, MeasurementEscapesCommaAndSpaceOnly) {
    EXPECT_EQ(measurement("heat meter,1"), "heat\\ meter\\,1");
    EXPECT_EQ(measurement("a=b\"c"), "a=b\"c");  // '=' and quotes are literal in a measurement
}

TEST(InfluxLineProtocol, TagAndFieldKeysEscapeCommaEqualsAndSpace) {
    EXPECT_EQ(key("boiler room"), "boiler\\ room");
    EXPECT_EQ(key("a,b"), "a\\,b");
    EXPECT_EQ(key("a=b"), "a\\=b");
    EXPECT_EQ(key(" ,= "), "\\ \\,\\=\\ ");
    EXPECT_EQ(key("m³/h"), "m³/h");
    EXPECT_EQ(key("say \"hi\""), "say\\ \"hi\"");
}

TEST(InfluxLineProtocol, StringFieldValuesEscapeQuotesAndBackslashes) {
    EXPECT_EQ(string_field("plain"), "\"plain\"");
    EXPECT_EQ(string_field("a\"b"), "\"a\\\"b\"");
    EXPECT_EQ(string_field("c:\\dir"), "\"c:\\\\dir\"");
    EXPECT_EQ(string_field("a, b=c"), "\"a, b=c\"");
}

TEST(InfluxLineProtocol, NarrowLineHasSortedTagsAndExactValue) {
    const auto b = batch("house", "12345678", "MULTICAL 403",
                         {reading("heat_energy", "1917.57", Unit::GJ, at_seconds(1700000000))});
    const LinePayload p = format_lines(std::span(&b, 1), {});
    ASSERT_EQ(p.lines(), 1u);
    EXPECT_EQ(
        p.text,
        "kamstrup,key=heat_energy,meter=house,model=MULTICAL\\ 403,serial=12345678,unit=GJ value=1917.57 1700000000\n");
}

TEST(InfluxLineProtocol, ValuesAreTheMetersDecimalText) {
    const TimePoint t = at_seconds(1);
    const auto b = batch("m", "1", "",
                         {reading("a", "1917.57", Unit::GJ, t), reading("b", "1.50", Unit::kW, t),
                          reading("c", "-0.05", Unit::celsius, t), reading("d", "87654321000", Unit::none, t),
                          reading("e", "0", Unit::none, t), reading("f", "0.001", Unit::none, t)});
    const LinePayload p = format_lines(std::span(&b, 1), {});
    ASSERT_EQ(p.lines(), 6u);
    EXPECT_NE(p.line(0).find(" value=1917.57 "), std::string_view::npos);
    EXPECT_NE(p.line(1).find(" value=1.50 "), std::string_view::npos);
    EXPECT_NE(p.line(2).find(" value=-0.05 "), std::string_view::npos);
    // Integers stay floats: no 'i' suffix, so the field type never changes.
    EXPECT_NE(p.line(3).find(" value=87654321000 "), std::string_view::npos);
    EXPECT_NE(p.line(4).find(" value=0 "), std::string_view::npos);
    EXPECT_NE(p.line(5).find(" value=0.001 "), std::string_view::npos);
    // Units without a symbol and an unknown model leave their tags out (no empty tag values).
    EXPECT_EQ(p.line(3).find("unit="), std::string_view::npos);
    EXPECT_EQ(p.line(3).find("model="), std::string_view::npos);
}

TEST(InfluxLineProtocol, OnlyOkReadingsAreWritten) {
    const TimePoint t = at_seconds(5);
    const auto b = batch("m", "1", "x",
                         {reading("a", "1", Unit::GJ, t), reading("b", "2", Unit::GJ, t, Quality::stale),
                          reading("c", "3", Unit::GJ, t, Quality::error)});
    for (Layout layout : {Layout::narrow, Layout::wide}) {
        const LinePayload p = format_lines(std::span(&b, 1), {.layout = layout});
        ASSERT_EQ(p.lines(), 1u);
        EXPECT_EQ(p.text.find("=2"), std::string::npos) << p.text;
        EXPECT_EQ(p.text.find("=3"), std::string::npos) << p.text;
    }
}

TEST(InfluxLineProtocol, TimestampsFollowThePrecision) {
    const TimePoint t = at_seconds(1700000000, 123456789);
    EXPECT_EQ(timestamp(t, Precision::s), 1700000000);
    EXPECT_EQ(timestamp(t, Precision::ms), 1700000000123);
    EXPECT_EQ(timestamp(t, Precision::us), 1700000000123456);
    EXPECT_EQ(timestamp(t, Precision::ns), 1700000000123456789);
    const auto b = batch("m", "1", "x", {reading("a", "1", Unit::GJ, t)});
    EXPECT_TRUE(format_lines(std::span(&b, 1), {.precision = Precision::ms}).text.ends_with(" 1700000000123\n"));
    EXPECT_TRUE(format_lines(std::span(&b, 1), {.precision = Precision::ns}).text.ends_with(" 1700000000123456789\n"));
}

TEST(InfluxLineProtocol, WideLayoutIsOnePointPerPoll) {
    const TimePoint t = at_seconds(1700000000);
    std::vector<ReadingBatch> polls = {mc403_poll("house", "12345678", t, 0), mc403_poll("flat 2", "87654321", t, 1)};
    polls[1].readings[2].quality = Quality::error;
    const LinePayload p = format_lines(polls, {.measurement = "heat", .layout = Layout::wide});
    ASSERT_EQ(p.lines(), 2u);
    EXPECT_EQ(p.line(0),
              "heat,meter=house,model=MULTICAL\\ 403,serial=12345678 heat_energy=1917.57,volume=200.125,power=1.5,"
              "flow=410,t_forward=61.37,t_return=36.05,hour_counter=43210 1700000000");
    EXPECT_EQ(p.line(1),
              "heat,meter=flat\\ 2,model=MULTICAL\\ 403,serial=87654321 heat_energy=1918.57,volume=201.125,"
              "flow=410,t_forward=61.37,t_return=36.05,hour_counter=43210 1700000000");
    const LinePayload narrow = format_lines(polls, {.measurement = "heat"});
    EXPECT_EQ(narrow.lines(), 13u);
}

TEST(InfluxLineProtocol, NewlinesAreRejectedAndReported) {
    const TimePoint t = at_seconds(9);
    std::vector<ReadingBatch> polls = {
        batch("good", "1", "x", {reading("a", "1", Unit::GJ, t), reading("bad\nkey", "2", Unit::GJ, t)}),
        batch("evil\nname", "2", "x", {reading("a", "3", Unit::GJ, t)}),
        batch("m", "3", "model\r", {reading("a", "4", Unit::GJ, t)}),
    };
    const LinePayload narrow = format_lines(polls, {});
    ASSERT_EQ(narrow.lines(), 1u);
    EXPECT_EQ(narrow.text.find('\n'), narrow.text.size() - 1);
    ASSERT_EQ(narrow.dropped.size(), 3u);
    EXPECT_EQ(narrow.dropped[0].key, "bad\nkey");
    EXPECT_NE(narrow.dropped[1].reason.find("meter name"), std::string::npos);
    EXPECT_NE(narrow.dropped[2].reason.find("model"), std::string::npos);

    const LinePayload wide = format_lines(polls, {.layout = Layout::wide});
    ASSERT_EQ(wide.lines(), 1u);
    EXPECT_EQ(wide.line(0), "kamstrup,meter=good,model=x,serial=1 a=1 9");
    EXPECT_EQ(wide.dropped.size(), 3u);
    EXPECT_TRUE(has_newline("a\rb"));
    EXPECT_FALSE(has_newline("a b"));
}

TEST(InfluxLineProtocol, LinesCanBeSlicedAndRemoved) {
    const TimePoint t = at_seconds(1);
    const auto b = batch("m", "1", "x",
                         {reading("a", "1", Unit::GJ, t), reading("b", "2", Unit::GJ, t),
                          reading("c", "3", Unit::GJ, t), reading("d", "4", Unit::GJ, t)});
    const LinePayload p = format_lines(std::span(&b, 1), {});
    ASSERT_EQ(p.lines(), 4u);
    EXPECT_EQ(p.slice(1, 2), std::string(p.line(1)) + "\n" + std::string(p.line(2)) + "\n");
    EXPECT_EQ(p.slice(0, 4), p.text);
    const std::vector<std::size_t> drop = {0, 2};
    const LinePayload rest = without_lines(p, drop);
    ASSERT_EQ(rest.lines(), 2u);
    EXPECT_EQ(rest.line(0), p.line(1));
    EXPECT_EQ(rest.line(1), p.line(3));
    EXPECT_EQ(rest.text, std::string(p.line(1)) + "\n" + std::string(p.line(3)) + "\n");
}

}  // namespace
}  // namespace kamgw::influxdb
