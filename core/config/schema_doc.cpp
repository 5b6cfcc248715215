#include "core/config/schema_doc.hpp"

#include "core/config/schema_validator.hpp"

namespace kamgw::config {
namespace {

// The TOML spelling of a value of this type: strings quoted, lists bracketed.
std::string toml_literal(const ConfigKey& key, std::string_view text) {
    switch (key.type) {
        case ConfigType::boolean:
        case ConfigType::integer:
        case ConfigType::number:
            return std::string(text);
        case ConfigType::string_list: {
            if (!text.empty() && text.front() == '[') return std::string(text);
            std::string out = "[";
            std::string_view rest = text;
            bool first = true;
            while (!rest.empty()) {
                const std::size_t comma = rest.find(',');
                if (!first) out += ", ";
                out += "\"" + std::string(rest.substr(0, comma)) + "\"";
                first = false;
                if (comma == std::string_view::npos) break;
                rest.remove_prefix(comma + 1);
            }
            return out + "]";
        }
        default:
            break;
    }
    std::string out = "\"";
    for (char c : text) {
        if (c == '"' || c == '\\') out.push_back('\\');
        out.push_back(c);
    }
    return out + "\"";
}

// A placeholder for a required key without a default, so the line shows the value's shape.
std::string placeholder(const ConfigKey& key) {
    switch (key.type) {
        case ConfigType::boolean:
            return "false";
        case ConfigType::integer:
            return key.min != INT64_MIN ? std::to_string(key.min) : "0";
        case ConfigType::number:
            return "0.0";
        case ConfigType::duration:
            return "\"1min\"";
        case ConfigType::string_list:
            return "[]";
        case ConfigType::choice: {
            const std::string_view c = key.choices.substr(0, key.choices.find('|'));
            return "\"" + std::string(c) + "\"";
        }
        default:
            break;
    }
    return "\"\"";
}

}  // namespace

std::string render_schema_doc(std::span<const ConfigKey> schema) {
    std::string out;
    for (const ConfigKey& key : schema) {
        if (!out.empty()) out += "\n";
        if (!key.doc.empty()) out += "# " + std::string(key.doc) + "\n";
        std::string facts = std::string(config_type_name(key.type));
        facts += key.required ? ", required" : ", optional";
        if (!key.default_value.empty()) facts += ", default " + toml_literal(key, key.default_value);
        facts += "; accepted: " + describe_accepted(key);
        out += "# (" + facts + ")\n";
        const std::string value = key.default_value.empty() ? placeholder(key) : toml_literal(key, key.default_value);
        if (!key.required) out += "# ";
        out += std::string(key.key) + " = " + value + "\n";
        if (key.type == ConfigType::secret)
            out += "# " + std::string(key.key) + "_file = \"/etc/kamgw/" + std::string(key.key) +
                   "\"  # or read the secret from a file\n";
    }
    return out;
}

}  // namespace kamgw::config
