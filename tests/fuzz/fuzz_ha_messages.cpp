// Fuzz body for what the ha-websocket sink reads from Home Assistant: any text as a websocket
// message goes through JSON parsing and every reader of answers (versions, statistics results,
// time stamps, invalid_format messages). Nothing may throw out of them or crash.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "plugins/sink-ha-websocket/ha_messages.hpp"

namespace ha = kamgw::ha_websocket;

namespace {

void read_answer(const ha::json& message) {
    if (!message.is_object()) return;
    if (auto version = message.find("ha_version"); version != message.end() && version->is_string()) {
        const auto v = kamgw::ha_release(version->get_ref<const std::string&>());
        (void)ha::metadata_schema_for(v);
        (void)ha::accepts_statistic_types(v);
        (void)v.at_least({2025, 11});
    }
    if (auto result = message.find("result"); result != message.end()) (void)ha::last_rows(*result);
    if (auto error = message.find("error"); error != message.end() && error->is_object()) {
        if (auto text = error->find("message"); text != error->end() && text->is_string()) {
            const auto& s = text->get_ref<const std::string&>();
            (void)ha::schema_after_invalid_format(ha::MetadataSchema::mean_type, s);
            (void)ha::schema_after_invalid_format(ha::MetadataSchema::has_mean, s);
        }
    }
    for (const char* key : {"start", "end", "last_reset"})
        if (auto value = message.find(key); value != message.end()) (void)ha::parse_ha_time(*value);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const ha::json message = ha::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (!message.is_discarded()) read_answer(message);
    (void)kamgw::ha_release(text);
    (void)ha::parse_iso_time(text);
    return 0;
}
