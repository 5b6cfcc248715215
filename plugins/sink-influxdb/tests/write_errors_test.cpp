#include "plugins/sink-influxdb/write_errors.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "plugins/sink-influxdb/tests/test_batches.hpp"

namespace kamgw::influxdb {
namespace {

using namespace test;

LinePayload three_lines() {
    const TimePoint t = at_seconds(1700000000);
    const auto b =
        batch("m", "1", "x",
              {reading("a", "1", Unit::GJ, t), reading("b", "2", Unit::GJ, t), reading("c", "3", Unit::GJ, t)});
    return format_lines(std::span(&b, 1), {});
}

// The body InfluxDB 1.x sends: the refused line inside a JSON string, so quotes and
// backslashes in it arrive escaped.
std::string v1_body(const std::vector<std::string>& lines, bool partial) {
    std::string text = partial ? "partial write: " : "";
    for (std::size_t i = 0; i < lines.size(); ++i) {
        if (i) text += "\n";
        text += "unable to parse '" + lines[i] + "': missing fields";
    }
    if (partial) text += " dropped=" + std::to_string(lines.size());
    return nlohmann::json{{"error", text}}.dump();
}

TEST(InfluxWriteErrors, ErrorTextComesFromJsonOrPlainBody) {
    EXPECT_EQ(error_text(R"({"error":"database not found: \"x\""})"), "database not found: \"x\"");
    EXPECT_EQ(error_text(R"({"code":"invalid","message":"bad"})"), "bad");
    EXPECT_EQ(error_text("404 page not found\n"), "404 page not found\n");
}

TEST(InfluxWriteErrors, FindsTheOneLineV1CouldNotParse) {
    const LinePayload p = three_lines();
    const auto bad = bad_line_indexes(v1_body({std::string(p.line(1))}, false), p);
    EXPECT_EQ(bad, std::vector<std::size_t>{1});
}

TEST(InfluxWriteErrors, FindsSeveralLinesOfAPartialWrite) {
    const LinePayload p = three_lines();
    const auto bad = bad_line_indexes(v1_body({std::string(p.line(2)), std::string(p.line(0))}, true), p);
    EXPECT_EQ(bad, (std::vector<std::size_t>{0, 2}));
}

TEST(InfluxWriteErrors, MatchesLinesWithQuotesBackslashesAndTheEndMarkerInside) {
    const TimePoint t = at_seconds(1);
    const auto b =
        batch("it's': \"odd\" \\", "1", "x", {reading("a", "1", Unit::GJ, t), reading("b", "2", Unit::GJ, t)});
    const LinePayload p = format_lines(std::span(&b, 1), {});
    ASSERT_EQ(p.lines(), 2u);
    EXPECT_EQ(bad_line_indexes(v1_body({std::string(p.line(1))}, false), p), std::vector<std::size_t>{1});
}

TEST(InfluxWriteErrors, ReadsV2LineNumbers) {
    const LinePayload p = three_lines();
    const std::string body = nlohmann::json{{"code", "invalid"},
                                            {"message",
                                             "failed to parse line protocol: errors encountered on line(s):\n"
                                             "line 3: invalid field format"}}
                                 .dump();
    EXPECT_EQ(bad_line_indexes(body, p), std::vector<std::size_t>{2});
}

TEST(InfluxWriteErrors, NamesNoLineWhenTheErrorIsAboutTheWholeRequest) {
    const LinePayload p = three_lines();
    EXPECT_TRUE(bad_line_indexes(R"({"error":"field type conflict: input field \"value\" is type float"})", p).empty());
    EXPECT_TRUE(bad_line_indexes(v1_body({"some other line"}, false), p).empty());
    EXPECT_TRUE(bad_line_indexes(R"({"message":"line 9: out of range"})", p).empty());
}

}  // namespace
}  // namespace kamgw::influxdb
