#include <nlohmann/json.hpp>

#include "core/app/reading_json.hpp"
#include "core/kmp/register_catalogue.hpp"
#include "csv_format.hpp"

namespace kamgw::app {
namespace {

// Built as text, not as a json value: a json number is a double and would turn 1917.57 into
// 1917.5699999999999.
class JsonObject {
public:
    JsonObject& text(std::string_view name, std::string_view value) {
        return raw(name, nlohmann::json(std::string(value)).dump());
    }
    JsonObject& raw(std::string_view name, std::string_view value) {
        out_ += out_.size() == 1 ? "\"" : ",\"";
        out_.append(name).append("\":").append(value);
        return *this;
    }
    std::string done() { return out_ + "}"; }

private:
    std::string out_ = "{";
};

JsonObject head(const MeterIdentity& meter, std::uint16_t id, std::string_view key, std::string_view name) {
    JsonObject o;
    o.text("meter", meter.name).text("serial", meter.serial).text("model", meter.model);
    o.raw("id", std::to_string(id)).text("key", key).text("name", name);
    return o;
}

JsonObject& reading_fields(JsonObject& o, const Reading& r) {
    return o.raw("value", r.value.to_string())
        .text("unit", r.unit_symbol())
        .raw("unit_code", std::to_string(r.unit_code))
        .text("quantity", quantity_name(r.quantity))
        .text("quality", quality_name(r.quality))
        .text("time", csv::format_utc(r.time));
}

}  // namespace

std::string reading_json(const MeterIdentity& meter, const Reading& r) {
    JsonObject o = head(meter, r.register_id, r.key, r.name);
    return reading_fields(o, r).done();
}

std::string probed_json(const MeterIdentity& meter, const Reading& r) {
    JsonObject o = head(meter, r.register_id, r.key, r.name);
    return reading_fields(o, r).text("status", "found").done();
}

std::string probed_json(const MeterIdentity& meter, const MissingRegister& m) {
    const RegisterInfo* info = kmp::find_register(m.register_id);
    return head(meter, m.register_id, m.key, info ? info->name : std::string_view())
        .text("status", missing_reason_name(m.reason))
        .done();
}

}  // namespace kamgw::app
