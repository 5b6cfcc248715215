// Keeping secrets out of everything kamgw prints: logs, `kamgw check`, /health, and the error
// strings of libraries that echo a URL back. Two rules: the userinfo of any URL in a text
// ("http://admin:SECRET@host" -> "http://host") goes, and so does every secret value the
// configuration loader has seen (a password read from a file may turn up without its URL).
#pragma once

#include <string>
#include <string_view>

namespace kamgw::config {

// `text` with the userinfo of every "scheme://user:password@host" removed and every
// remembered secret replaced by "***".
std::string redact_text(std::string_view text);

// Adds a secret value for redact_text(). Values shorter than 4 characters are not
// remembered: masking every "a" would garble all output and hide nothing.
void remember_secret(std::string_view value);

// The password (or, without one, the user) of a URL's userinfo, for remember_secret();
// empty when the text holds no URL with userinfo.
std::string url_credential(std::string_view url);

}  // namespace kamgw::config
