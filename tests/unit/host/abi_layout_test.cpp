// The layout each plugin ABI number stands for (sdk/README.md, "ABI and evolution"): a change
// to an SDK type's size without a new KAMGW_PLUGIN_ABI fails here, in the commit that made it,
// and not only when a plugin built before it is refused.
#include <gtest/gtest.h>

#include <map>

#include "core/host/abi_check.hpp"
#include "kamgw/plugin.hpp"

namespace kamgw::host {
namespace {

// Fingerprint words from `pointer_size` on, for 64-bit Linux with libstdc++'s C++11 string
// (the compiler ABI and Boost fields depend on the machine, not on the SDK's headers). When an
// ABI number is raised, its layout is added here and the earlier ones stay as they were.
constexpr std::size_t first_layout_word = 5;
const std::map<int, FingerprintWords> layout_of_abi = {
    // pointer, std::string, PluginDescriptor, ReadingBatch, Reading, MeterIdentity, MissingRegister,
    // Decimal, ConfigKey, ConfigTable, WriteResult, MeterInfo, MeterStatus, Endpoint, LineSettings
    {3, {8, 32, 128, 232, 144, 136, 48, 16, 96, 48, 40, 168, 280, 208, 16}},
};

TEST(PluginAbiLayout, TheHeadersMatchTheLayoutOfTheirAbiNumber) {
    if (sizeof(void*) != 8 || abi::cxx11_string_abi != 1)
        GTEST_SKIP() << "the layouts are recorded for 64-bit libstdc++ with the C++11 string";
    const FingerprintWords words = host_fingerprint();
    const FingerprintWords layout(words.begin() + first_layout_word, words.end());
    std::string seen;
    for (auto w : layout) seen += (seen.empty() ? "" : ", ") + std::to_string(w);
    const auto recorded = layout_of_abi.find(KAMGW_PLUGIN_ABI);
    ASSERT_NE(recorded, layout_of_abi.end()) << "plugin ABI " << KAMGW_PLUGIN_ABI << " has no recorded layout: add {"
                                             << KAMGW_PLUGIN_ABI << ", {" << seen << "}}";
    EXPECT_EQ(recorded->second, layout) << "the SDK's types no longer have the layout of plugin ABI "
                                        << KAMGW_PLUGIN_ABI
                                        << ": raise KAMGW_PLUGIN_ABI in kamgw/plugin.hpp and record the new layout {"
                                        << seen << "}";
}

}  // namespace
}  // namespace kamgw::host
