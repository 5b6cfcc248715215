#include <gtest/gtest.h>

#include "core/config/duration.hpp"

namespace kamgw::config {
namespace {

using std::chrono::milliseconds;

TEST(ConfigDuration, ReadsEveryUnit) {
    EXPECT_EQ(parse_duration("500ms"), milliseconds(500));
    EXPECT_EQ(parse_duration("90s"), milliseconds(90'000));
    EXPECT_EQ(parse_duration("10min"), milliseconds(600'000));
    EXPECT_EQ(parse_duration("1h"), milliseconds(3'600'000));
    EXPECT_EQ(parse_duration("1d"), milliseconds(86'400'000));
}

TEST(ConfigDuration, AddsCombinations) {
    EXPECT_EQ(parse_duration("1h30min"), milliseconds(5'400'000));
    EXPECT_EQ(parse_duration("1h 30min 15s"), milliseconds(5'415'000));
    EXPECT_EQ(parse_duration("2s500ms"), milliseconds(2'500));
    EXPECT_EQ(parse_duration("0s"), milliseconds(0));
}

TEST(ConfigDuration, RejectsMissingUnitWithAHint) {
    std::string why;
    EXPECT_FALSE(parse_duration("90", &why));
    EXPECT_NE(why.find("no unit"), std::string::npos) << why;
    EXPECT_NE(why.find("\"90s\""), std::string::npos) << why;
}

TEST(ConfigDuration, RejectsBadText) {
    std::string why;
    EXPECT_FALSE(parse_duration("", &why));
    EXPECT_FALSE(parse_duration("10 minutes", &why));
    EXPECT_NE(why.find("unknown unit 'minutes'"), std::string::npos) << why;
    EXPECT_FALSE(parse_duration("5m", &why));
    EXPECT_NE(why.find("'min'"), std::string::npos) << why;
    EXPECT_FALSE(parse_duration("1.5h", &why));
    EXPECT_NE(why.find("fraction"), std::string::npos) << why;
    EXPECT_FALSE(parse_duration("-1s", &why));
    EXPECT_NE(why.find("negative"), std::string::npos) << why;
    EXPECT_FALSE(parse_duration("s", &why));
    EXPECT_FALSE(parse_duration("99999999999999999999d", &why));
    EXPECT_NE(why.find("too large"), std::string::npos) << why;
    EXPECT_FALSE(parse_duration("999999999999999d", &why));
    EXPECT_NE(why.find("too large"), std::string::npos) << why;
}

TEST(ConfigDuration, FormatReadsBack) {
    EXPECT_EQ(format_duration(milliseconds(0)), "0s");
    EXPECT_EQ(format_duration(milliseconds(500)), "500ms");
    EXPECT_EQ(format_duration(milliseconds(5'400'000)), "1h30min");
    EXPECT_EQ(format_duration(milliseconds(90'061'001)), "1d1h1min1s1ms");
    for (long long ms : {1LL, 999LL, 1'000LL, 61'000LL, 3'600'000LL, 86'400'000LL * 400 + 7})
        EXPECT_EQ(parse_duration(format_duration(milliseconds(ms))), milliseconds(ms)) << ms;
}

}  // namespace
}  // namespace kamgw::config
