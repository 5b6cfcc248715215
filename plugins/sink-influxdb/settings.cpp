#include "plugins/sink-influxdb/settings.hpp"

namespace kamgw::influxdb {

namespace {

// RFC 3986 percent-encoding of a query value: only unreserved characters stay as they are.
std::string query_escape(const std::string& value) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : value) {
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
            c == '.' || c == '~') {
            out.push_back(static_cast<char>(c));
        } else {
            out.push_back('%');
            out.push_back(hex[c >> 4]);
            out.push_back(hex[c & 15]);
        }
    }
    return out;
}

std::string str(const ConfigTable& t, std::string_view key) { return t.get_string_or(key, ""); }

Precision parse_precision(const std::string& p) {
    if (p == "ns") return Precision::ns;
    if (p == "us") return Precision::us;
    if (p == "ms") return Precision::ms;
    return Precision::s;
}

void split_url(Settings& s, const std::string& url) {
    const std::size_t scheme_end = url.find("://");
    if (scheme_end == std::string::npos)
        throw ConfigError("url '" + url + "' has no scheme: write http://host:8086 or https://host:8086");
    const std::string scheme = url.substr(0, scheme_end);
    if (scheme != "http" && scheme != "https")
        throw ConfigError("url '" + url + "': the scheme must be http, https or file");
    s.https = scheme == "https";
    const std::size_t host_begin = scheme_end + 3;
    const std::size_t path_begin = url.find('/', host_begin);
    if (host_begin >= url.size() || path_begin == host_begin) throw ConfigError("url '" + url + "' has no host name");
    if (url.find('@', host_begin) < path_begin)
        throw ConfigError("url '" + url + "': put credentials in username/password or token, not in the url");
    s.base_url = url.substr(0, path_begin);
    if (path_begin != std::string::npos) {
        s.path_prefix = url.substr(path_begin);
        while (!s.path_prefix.empty() && s.path_prefix.back() == '/') s.path_prefix.pop_back();
    }
}

}  // namespace

Settings parse_settings(const ConfigTable& t) {
    Settings s;
    const std::string url = str(t, "url");
    const std::string mode = t.get_string_or("mode", "auto");
    const std::string path = str(t, "path");
    const bool file_url = url.rfind("file://", 0) == 0;
    if (mode == "file" || (mode == "auto" && (!path.empty() || file_url))) {
        s.mode = Mode::file;
        if (!path.empty())
            s.path = path;
        else if (file_url)
            s.path = url.substr(7);
        if (s.path.empty()) throw ConfigError("file mode needs `path` (a file, or \"-\" for standard output)");
    } else {
        if (file_url) throw ConfigError("mode = \"http\" needs an http:// or https:// url, not " + url);
        split_url(s, url.empty() ? std::string("http://localhost:8086") : url);
    }

    s.database = str(t, "database");
    s.retention_policy = str(t, "retention_policy");
    s.username = str(t, "username");
    s.password = str(t, "password");
    s.org = str(t, "org");
    s.bucket = str(t, "bucket");
    s.token = str(t, "token");
    const std::string api = t.get_string_or("api", "auto");
    if (api == "v2" || (api == "auto" && (!s.org.empty() || !s.bucket.empty() || !s.token.empty()))) s.api = Api::v2;
    if (s.mode == Mode::http) {
        if (s.api == Api::v1 && s.database.empty()) throw ConfigError("api v1 needs `database`");
        if (s.api == Api::v2 && (s.org.empty() || s.bucket.empty()))
            throw ConfigError("api v2 needs both `org` and `bucket` (and usually `token`)");
        if (!s.password.empty() && s.username.empty()) throw ConfigError("`password` is set but `username` is not");
    }

    s.format.precision = parse_precision(t.get_string_or("precision", "s"));
    s.format.measurement = t.get_string_or("measurement", "kamstrup");
    if (s.format.measurement.empty() || has_newline(s.format.measurement))
        throw ConfigError("`measurement` must be a non-empty name without line breaks");
    s.format.layout = t.get_string_or("layout", "narrow") == "wide" ? Layout::wide : Layout::narrow;
    s.gzip = t.has("gzip") && t.get_bool("gzip");
    if (t.has("timeout")) s.timeout = t.get_duration("timeout");
    if (s.timeout <= std::chrono::milliseconds(0)) throw ConfigError("`timeout` must be positive");
    s.ca_file = str(t, "ca_file");
    s.tls_verify = !t.has("tls_verify") || t.get_bool("tls_verify");
    if (t.has("max_lines_per_request")) {
        const auto n = t.get_int("max_lines_per_request");
        if (n < 1) throw ConfigError("`max_lines_per_request` must be at least 1");
        s.max_lines_per_request = static_cast<std::size_t>(n);
    }
    return s;
}

std::string write_target(const Settings& s) {
    const std::string precision(precision_name(s.format.precision));
    std::string target = s.path_prefix;
    if (s.api == Api::v1) {
        target += "/write?db=" + query_escape(s.database);
        if (!s.retention_policy.empty()) target += "&rp=" + query_escape(s.retention_policy);
    } else {
        target += "/api/v2/write?org=" + query_escape(s.org) + "&bucket=" + query_escape(s.bucket);
    }
    return target + "&precision=" + precision;
}

std::string describe_target(const Settings& s) {
    if (s.mode == Mode::file) return s.path == "-" ? std::string("standard output") : s.path.string();
    return s.base_url + write_target(s);
}

}  // namespace kamgw::influxdb
