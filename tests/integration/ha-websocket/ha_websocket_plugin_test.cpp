// The built kamgw-sink-ha-websocket.so, loaded through the plugin registry like the daemon
// does, against the fake Home Assistant.
#include <gtest/gtest.h>

#include "core/host/plugin_registry.hpp"
#include "tests/fixtures/fake-home-assistant/fake_home_assistant.hpp"
#include "tests/integration/ha-websocket/ha_test_host.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

using namespace kamgw;
using namespace kamgw::ha_websocket::test;

TEST(HaWebsocketPlugin, LoadsAndSendsAPollToHomeAssistant) {
    host::PluginRegistry registry;
    ASSERT_TRUE(registry.load_file(kamgw::test::plugin_dir() / "kamgw-sink-ha-websocket.so"))
        << (registry.problems().empty() ? "" : registry.problems().front().message);
    const PluginDescriptor* d = registry.sink("ha-websocket");
    ASSERT_NE(d, nullptr);
    bool has_token = false, has_token_file = false;
    for (const ConfigKey& k : d->config) {
        has_token |= k.key == "token" && k.type == ConfigType::secret;
        has_token_file |= k.key == "token_file" && k.type == ConfigType::path;
    }
    EXPECT_TRUE(has_token);
    EXPECT_TRUE(has_token_file);

    kamgw::test::FakeHomeAssistant ha;
    kamgw::test::TempDir dir;
    TestHost host(test_config(ha.url()), dir.path());
    auto sink = registry.make_sink("ha-websocket");
    sink->start(host);
    // Two polls an hour apart: the hour that ended between them gets its row.
    const TimePoint now = Clock::now();
    const ReadingBatch before = house_batch(now - std::chrono::hours(1), 2);
    const ReadingBatch batch = house_batch(now, 3);
    ASSERT_EQ(sink->write({&before, 1}).code, WriteResult::Code::ok);
    ASSERT_EQ(sink->write({&batch, 1}).code, WriteResult::Code::ok);
    EXPECT_TRUE(idle_until(
        *sink, [&] { return ha.state_count() == 5; }, std::chrono::seconds(20)));
    EXPECT_TRUE(idle_until(
        *sink, [&] { return ha.statistics("kamstrup:12345678_heat_energy").size() == 1; }, std::chrono::seconds(20)));
    sink->stop();
    sink.reset();
}

}  // namespace
