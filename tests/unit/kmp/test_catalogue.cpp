// The register catalogue: keys, defaults, Home Assistant hints and name resolution.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "core/kmp/register_catalogue.hpp"
#include "kamgw/home_assistant.hpp"

namespace kamgw::kmp {
namespace {

bool is_snake_case(std::string_view key) {
    if (key.empty() || !(key.front() >= 'a' && key.front() <= 'z') || key.back() == '_') return false;
    char prev = 0;
    for (char c : key) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
        if (!ok || (c == '_' && prev == '_')) return false;
        prev = c;
    }
    return true;
}

TEST(KmpCatalogue, KeysAndIdsAreUniqueAndSnakeCase) {
    std::set<std::string_view> keys;
    std::set<std::uint16_t> ids;
    for (const auto& r : register_catalogue()) {
        EXPECT_TRUE(is_snake_case(r.key)) << r.key;
        EXPECT_TRUE(keys.insert(r.key).second) << "duplicate key " << r.key;
        EXPECT_TRUE(ids.insert(r.id).second) << "duplicate id " << r.id;
        EXPECT_FALSE(r.name.empty()) << r.key;
        // "r<digits>" is reserved for registers known only by number.
        EXPECT_FALSE(r.key.size() > 1 && r.key[0] == 'r' &&
                     std::all_of(r.key.begin() + 1, r.key.end(), [](char c) { return c >= '0' && c <= '9'; }))
            << r.key;
    }
    EXPECT_GE(register_catalogue().size(), 70u);
}

TEST(KmpCatalogue, RequiredKeys) {
    const std::pair<std::uint16_t, std::string_view> required[] = {{60, "heat_energy"},    {266, "heat_energy_hires"},
                                                                   {63, "cooling_energy"}, {68, "volume"},
                                                                   {74, "flow"},           {80, "power"},
                                                                   {86, "t_forward"},      {87, "t_return"},
                                                                   {89, "t_diff"},         {99, "info"},
                                                                   {113, "info_counter"},  {1001, "serial"},
                                                                   {1004, "hour_counter"}, {1003, "date"},
                                                                   {1002, "time"},         {88, "t3"},
                                                                   {69, "volume2"},        {72, "mass1"}};
    for (const auto& [id, key] : required) {
        const auto* by_id = find_register(id);
        ASSERT_NE(by_id, nullptr) << id;
        EXPECT_EQ(by_id->key, key);
        EXPECT_EQ(find_register(key), by_id);
    }
}

TEST(KmpCatalogue, EveryRegisterOfTheProtocolNotes) {
    // §5.2 and §5.3.
    const std::uint16_t ids[] = {60,  266, 63,  80,   86,   87,  89,  74,  68,  141,  139,  145, 143, 149,  150,  126,
                                 124, 130, 128, 146,  147,  97,  110, 99,  113, 1001, 1004, 140, 138, 144,  142,  125,
                                 123, 129, 127, 1003, 1002, 94,  61,  62,  95,  96,   64,   65,  66,  67,   69,   72,
                                 73,  84,  85,  88,   122,  91,  92,  75,  98,  152,  153,  168, 112, 1010, 1005, 154,
                                 155, 157, 158, 175,  184,  185, 223, 239, 229, 230,  234,  235, 267};
    for (auto id : ids) EXPECT_NE(find_register(id), nullptr) << id;
}

TEST(KmpCatalogue, DefaultsAreExactlyTheSevenOfTheReferenceIntegration) {
    const std::vector<std::uint16_t> expected = {60, 266, 68, 99, 113, 1001, 1004};
    const auto defaults = default_registers();
    EXPECT_EQ(std::vector<std::uint16_t>(defaults.begin(), defaults.end()), expected);
    std::vector<std::uint16_t> on;
    for (const auto& r : register_catalogue())
        if (r.on_by_default) on.push_back(r.id);
    std::sort(on.begin(), on.end());
    auto sorted = expected;
    std::sort(sorted.begin(), sorted.end());
    EXPECT_EQ(on, sorted);
}

TEST(KmpCatalogue, TemperatureDifferenceHasNoDeviceClass) {
    const auto* t_diff = find_register(89);
    ASSERT_NE(t_diff, nullptr);
    EXPECT_EQ(t_diff->ha.device_class, HaDeviceClass::none);
    EXPECT_EQ(t_diff->quantity, Quantity::temperature_difference);
    EXPECT_EQ(ha_presentation(t_diff->ha, Unit::kelvin).device_class, HaDeviceClass::none);
    EXPECT_EQ(ha_presentation(t_diff->ha, Unit::kelvin).unit, "K");
}

TEST(KmpCatalogue, SpecificHints) {
    EXPECT_EQ(find_register("flow")->ha.device_class, HaDeviceClass::volume_flow_rate);
    EXPECT_EQ(ha_presentation(find_register("flow")->ha, Unit::litre_per_hour).unit, "L/h");
    EXPECT_EQ(find_register("volume")->ha.device_class, HaDeviceClass::volume);
    EXPECT_EQ(find_register("volume")->ha.state_class, HaStateClass::total_increasing);
    EXPECT_EQ(find_register("hour_counter")->ha.device_class, HaDeviceClass::duration);
    EXPECT_EQ(find_register("hour_counter")->ha.state_class, HaStateClass::total_increasing);
    EXPECT_EQ(find_register("heat_energy")->ha.device_class, HaDeviceClass::energy);
    EXPECT_EQ(find_register("heat_energy")->ha.icon, "mdi:radiator");
    for (auto key : {"info", "serial", "hour_counter", "info_counter"}) {
        EXPECT_EQ(find_register(key)->ha.entity_category, HaEntityCategory::diagnostic) << key;
        EXPECT_EQ(find_register(key)->ha.display_precision, 0) << key;
    }
    for (const auto& r : register_catalogue())
        if (r.quantity == Quantity::date) {
            EXPECT_EQ(r.ha.device_class, HaDeviceClass::timestamp) << r.key;
        }
}

TEST(KmpCatalogue, HintsAreAcceptedByHomeAssistantForTheTypicalUnit) {
    for (const auto& r : register_catalogue()) {
        const Unit unit = typical_unit(r);
        const auto p = ha_presentation(r.ha, unit);
        // The hint survives the meter's usual unit: it is not silently dropped.
        EXPECT_EQ(p.device_class, r.ha.device_class) << r.key << " in " << unit_symbol(unit);
        EXPECT_TRUE(ha_accepts(p.device_class, p.state_class, p.unit)) << r.key;
        if (r.ha.device_class != HaDeviceClass::timestamp) {
            const auto ha_spelling = ha_unit(unit);
            if (r.ha.device_class != HaDeviceClass::none) {
                ASSERT_TRUE(ha_spelling) << r.key;
                EXPECT_TRUE(ha_accepts(r.ha.device_class, r.ha.state_class, *ha_spelling)) << r.key;
            }
        }
    }
}

TEST(KmpCatalogue, ResolveByKeyNumberOrHex) {
    EXPECT_EQ(resolve_register("heat_energy")->id, 60);
    EXPECT_EQ(resolve_register("60")->key, "heat_energy");
    EXPECT_EQ(resolve_register("0x3c")->key, "heat_energy");
    EXPECT_EQ(resolve_register("0x3C")->id, 60);
    const auto unknown = resolve_register("1234");
    ASSERT_TRUE(unknown);
    EXPECT_EQ(unknown->id, 1234);
    EXPECT_EQ(unknown->key, "r1234");
    EXPECT_EQ(unknown->quantity, Quantity::other);
    EXPECT_EQ(unknown->ha.device_class, HaDeviceClass::none);
    EXPECT_EQ(resolve_register("r1234")->id, 1234);
    EXPECT_EQ(resolve_register("65535")->id, 65535);
    EXPECT_FALSE(resolve_register("65536"));
    EXPECT_FALSE(resolve_register("no_such_register"));
    EXPECT_FALSE(resolve_register(""));
    EXPECT_FALSE(resolve_register("0x"));
    EXPECT_FALSE(resolve_register("12abc"));
    EXPECT_EQ(register_key(60), "heat_energy");
    EXPECT_EQ(register_key(4242), "r4242");
}

TEST(KmpCatalogue, SyntheticKeysOutliveTheCall) {
    std::string_view key;
    {
        const auto r = resolve_register(std::string("777"));
        key = r->key;
    }
    resolve_register("778");
    EXPECT_EQ(key, "r777");
}

}  // namespace
}  // namespace kamgw::kmp
