#include <gtest/gtest.h>

#include <fstream>

#include "plugins/sink-mqtt-ha/published_entities.hpp"
#include "tests/support/temp_dir.hpp"

namespace kamgw::mqtt_ha {
namespace {

TEST(MqttHaPublished, SurvivesARestartAndNamesWhatIsGone) {
    kamgw::test::TempDir dir;
    const auto file = dir / "state/published.json";
    {
        PublishedEntities p(file);
        std::string error;
        ASSERT_TRUE(p.load(error)) << error;  // missing file: empty
        EXPECT_TRUE(p.replace("123", {"a/config", "b/config", "c/config"}).empty());
        ASSERT_TRUE(p.save(error)) << error;
    }
    PublishedEntities again(file);
    std::string error;
    ASSERT_TRUE(again.load(error)) << error;
    EXPECT_EQ(again.topics("123").size(), 3u);
    EXPECT_EQ(again.replace("123", {"a/config", "b/config"}), std::vector<std::string>{"c/config"});
    EXPECT_TRUE(again.topics("456").empty());
}

TEST(MqttHaPublished, CorruptFileIsReportedAndIgnored) {
    kamgw::test::TempDir dir;
    const auto file = dir.write("published.json", "{not json");
    PublishedEntities p(file);
    std::string error;
    EXPECT_FALSE(p.load(error));
    EXPECT_NE(error.find("published.json"), std::string::npos);
    EXPECT_TRUE(p.all().empty());
}

}  // namespace
}  // namespace kamgw::mqtt_ha
