// A topic with placeholders, e.g. "kamgw/{gateway}/{meter}/{key}": parsed and checked once at
// start, expanded for every message. Each value put in is made safe for one topic level ('/',
// '+', '#' become '_'), so a meter name can never add a level or a wildcard.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace kamgw::plain_mqtt {

enum class Placeholder : std::uint8_t { gateway, meter, serial, model, key, id };

// "{gateway}, {meter}, {serial}, {model}, {key}, {id}": for error messages and the README.
std::string_view placeholder_list();

struct TopicFields {
    std::string_view gateway, meter, serial, model, key;
    std::uint16_t id = 0;  // the register's KMP id
};

class TopicTemplate {
public:
    TopicTemplate() = default;
    // Throws ConfigError naming the problem and what is accepted: an unknown or unclosed
    // placeholder, a wildcard, an empty topic or level at the end.
    static TopicTemplate parse(std::string_view text);

    [[nodiscard]] std::string expand(const TopicFields& fields) const;
    [[nodiscard]] bool uses(Placeholder p) const;
    [[nodiscard]] const std::string& text() const { return text_; }

private:
    struct Part {
        std::string literal;  // used when is_placeholder is false
        Placeholder placeholder = Placeholder::gateway;
        bool is_placeholder = false;
    };
    std::string text_;
    std::vector<Part> parts_;
};

}  // namespace kamgw::plain_mqtt
