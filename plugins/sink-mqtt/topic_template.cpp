#include "plugins/sink-mqtt/topic_template.hpp"

#include <array>
#include <optional>
#include <utility>

#include "kamgw/config.hpp"
#include "plugins/common/mqtt/connection_options.hpp"

namespace kamgw::plain_mqtt {
namespace {

constexpr std::array<std::pair<std::string_view, Placeholder>, 6> names = {{
    {"gateway", Placeholder::gateway},
    {"meter", Placeholder::meter},
    {"serial", Placeholder::serial},
    {"model", Placeholder::model},
    {"key", Placeholder::key},
    {"id", Placeholder::id},
}};

std::optional<Placeholder> placeholder_named(std::string_view name) {
    for (const auto& [text, p] : names)
        if (text == name) return p;
    return std::nullopt;
}

}  // namespace

std::string_view placeholder_list() { return "{gateway}, {meter}, {serial}, {model}, {key}, {id}"; }

TopicTemplate TopicTemplate::parse(std::string_view text) {
    const auto fail = [&](const std::string& why) { throw ConfigError("topic '" + std::string(text) + "': " + why); };
    if (text.empty()) fail("is empty");
    if (text.find_first_of("+#") != std::string_view::npos) fail("'+' and '#' are wildcards, not allowed in a topic");
    if (text.back() == '/') fail("ends with '/'");
    TopicTemplate t;
    t.text_ = std::string(text);
    std::string literal;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '}') fail("'}' without '{'");
        if (text[i] != '{') {
            literal.push_back(text[i]);
            continue;
        }
        const auto close = text.find('}', i);
        if (close == std::string_view::npos) fail("'{' is not closed");
        const std::string_view name = text.substr(i + 1, close - i - 1);
        const auto placeholder = placeholder_named(name);
        if (!placeholder)
            fail("unknown placeholder {" + std::string(name) + "}; accepted: " + std::string(placeholder_list()));
        if (!literal.empty()) t.parts_.push_back({std::move(literal)});
        literal.clear();
        t.parts_.push_back({{}, *placeholder, true});
        i = close;
    }
    if (!literal.empty()) t.parts_.push_back({std::move(literal)});
    return t;
}

bool TopicTemplate::uses(Placeholder p) const {
    for (const Part& part : parts_)
        if (part.is_placeholder && part.placeholder == p) return true;
    return false;
}

std::string TopicTemplate::expand(const TopicFields& f) const {
    // An empty value (a model not known yet) still fills its level.
    const auto level = [](std::string_view v) { return v.empty() ? std::string("unknown") : mqtt::topic_safe(v); };
    std::string out;
    for (const Part& part : parts_) {
        if (!part.is_placeholder) {
            out += part.literal;
            continue;
        }
        switch (part.placeholder) {
            case Placeholder::gateway:
                out += level(f.gateway);
                break;
            case Placeholder::meter:
                out += level(f.meter);
                break;
            case Placeholder::serial:
                out += level(f.serial);
                break;
            case Placeholder::model:
                out += level(f.model);
                break;
            case Placeholder::key:
                out += level(f.key);
                break;
            case Placeholder::id:
                out += std::to_string(f.id);
                break;
        }
    }
    return out;
}

}  // namespace kamgw::plain_mqtt
