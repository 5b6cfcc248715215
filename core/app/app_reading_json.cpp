#include "core/app/reading_json.hpp"

#include "core/kmp/register_catalogue.hpp"
#include "kamgw/reading_json.hpp"

namespace kamgw::app {

std::string probed_json(const MeterIdentity& meter, const Reading& r) {
    JsonObject o = register_json_head(meter, r.register_id, r.key, r.name);
    return reading_json_fields(o, r).string("status", "found").str();
}

std::string probed_json(const MeterIdentity& meter, const MissingRegister& m) {
    const RegisterInfo* info = kmp::find_register(m.register_id);
    return register_json_head(meter, m.register_id, m.key, info ? info->name : std::string_view())
        .string("status", missing_reason_name(m.reason))
        .str();
}

}  // namespace kamgw::app
