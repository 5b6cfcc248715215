// The messages the sink sends to Home Assistant and the answers it reads, as pure functions
// of their inputs (no network), so the unit tests see exactly what goes on the wire.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "kamgw/home_assistant.hpp"
#include "kamgw/reading.hpp"
#include "plugins/sink-ha-websocket/hourly_rows.hpp"

namespace kamgw::ha_websocket {

using nlohmann::json;

// Statistics metadata comes in two shapes: `mean_type` + `unit_class` from 2025.11 on,
// `has_mean` before (older versions refuse the new keys as extra keys).
enum class MetadataSchema { mean_type, has_mean };
std::string_view metadata_schema_name(MetadataSchema s);
MetadataSchema metadata_schema_for(HaRelease release);
// After an invalid_format answer: the other shape when the message names a key that only
// the sent shape has (or a key the other shape needs); nullopt when it is about something else.
std::optional<MetadataSchema> schema_after_invalid_format(MetadataSchema sent, std::string_view message);

struct StatisticMeta {
    std::string statistic_id;  // "kamstrup:12345678_heat_energy"
    std::string source;        // "kamstrup"
    std::string name;          // "house heat energy (12345678)"
    std::string unit;          // Home Assistant's spelling, e.g. "GJ", "m³", "h"
    std::string unit_class;    // "energy", "volume", "duration" or "" (null)
};
// The unit converter class Home Assistant uses for a quantity, or "" for none.
std::string unit_class_for(Quantity q);

json statistics_metadata(const StatisticMeta& meta, MetadataSchema schema);
json import_statistics_command(const StatisticMeta& meta, MetadataSchema schema, std::span<const StatRow> rows);
// With `types` (Home Assistant 2022.12 and later) only the state and sum columns come back;
// 2022.10 and 2022.11 refuse the key ("extra keys not allowed @ data['types']") and send every
// column anyway.
json statistics_during_period_command(const std::vector<std::string>& statistic_ids, TimePoint start, bool types);
// Whether the connected version takes statistics_during_period's `types` (unknown: newer, yes).
bool accepts_statistic_types(HaRelease release);
// An invalid_format answer that names `types`: the command is sent again at once without it.
bool refuses_statistic_types(std::string_view message);
// The last row per statistic id from a statistics_during_period result. `start` may be epoch
// milliseconds (newer HA) or an ISO string (older HA); rows whose start cannot be read are skipped.
std::map<std::string, ResumePoint> last_rows(const json& result);

// Epoch milliseconds (number) or an ISO 8601 date-time with a UTC offset.
std::optional<TimePoint> parse_ha_time(const json& value);
std::optional<TimePoint> parse_iso_time(std::string_view text);

json auth_message(const std::string& token);
json supported_features_command();
json subscribe_events_command(std::string_view event_type);

// What POST /api/states/<entity_id> carries for one reading: state text and the attributes
// Home Assistant accepts for it (ha_presentation()).
struct StatePush {
    std::string entity_id;
    json body;
};
// Device class and unit as the connected release accepts them (home_assistant.hpp); unknown:
// the newest rules.
StatePush state_push(const MeterIdentity& meter, const Reading& reading, HaRelease release = {});
json fire_event_command(const ReadingBatch& batch);

}  // namespace kamgw::ha_websocket
