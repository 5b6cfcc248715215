#include <gtest/gtest.h>

#include "kamgw/config.hpp"
#include "plugins/sink-mqtt/topic_template.hpp"

namespace kamgw::plain_mqtt {
namespace {

std::string refusal(std::string_view text) {
    try {
        (void)TopicTemplate::parse(text);
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "";
}

TEST(TopicTemplate, ExpandsEveryPlaceholder) {
    const auto t = TopicTemplate::parse("site/{gateway}/{model}/{serial}/{meter}/{key}/{id}");
    EXPECT_EQ(
        t.expand({.gateway = "gw1", .meter = "house", .serial = "123", .model = "MC403", .key = "volume", .id = 68}),
        "site/gw1/MC403/123/house/volume/68");
    EXPECT_TRUE(t.uses(Placeholder::id));
    EXPECT_FALSE(TopicTemplate::parse("a/{meter}").uses(Placeholder::key));
}

TEST(TopicTemplate, AValueNeverAddsALevelOrAWildcard) {
    const auto t = TopicTemplate::parse("kamgw/{meter}/{key}");
    EXPECT_EQ(t.expand({.meter = "flat 3/b#+", .key = "power"}), "kamgw/flat 3_b__/power");
    EXPECT_EQ(t.expand({.key = "power"}), "kamgw/unknown/power");
}

TEST(TopicTemplate, RefusesWhatIsNoTopicAndSaysWhatIsAccepted) {
    EXPECT_NE(refusal("kamgw/{meters}/{key}").find("unknown placeholder {meters}; accepted: {gateway}"),
              std::string::npos);
    EXPECT_NE(refusal("kamgw/{meter").find("not closed"), std::string::npos);
    EXPECT_NE(refusal("kamgw/meter}").find("without '{'"), std::string::npos);
    EXPECT_NE(refusal("kamgw/+/{key}").find("wildcards"), std::string::npos);
    EXPECT_NE(refusal("kamgw/#").find("wildcards"), std::string::npos);
    EXPECT_NE(refusal("kamgw/{meter}/").find("ends with '/'"), std::string::npos);
    EXPECT_NE(refusal("").find("empty"), std::string::npos);
    EXPECT_EQ(refusal("kamgw/{gateway}/{meter}/{key}"), "");
}

}  // namespace
}  // namespace kamgw::plain_mqtt
