// kamgw addon-config: the Home Assistant add-on's start turns the options the user set in Home
// Assistant into kamgw.toml, asking the Supervisor for the MQTT broker when none is given.
#include <fcntl.h>
#include <grp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/program_options.hpp>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "core/app/addon_options.hpp"
#include "core/app/commands.hpp"
#include "core/app/exit_codes.hpp"
#include "core/app/supervisor_client.hpp"

namespace po = boost::program_options;

namespace kamgw::app {
namespace {

struct FileError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Written beside its final name and renamed over it, so the daemon never reads half a file; with
// a group the file is 0640 and that group's (the daemon's), else 0600.
void write_private_file(const std::filesystem::path& path, const std::string& content, gid_t group) {
    const std::string temp = path.string() + ".new";
    const mode_t mode = group == static_cast<gid_t>(-1) ? 0600 : 0640;
    ::unlink(temp.c_str());
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
    if (fd < 0) throw FileError("cannot create " + temp + ": " + std::strerror(errno));
    bool ok = ::fchmod(fd, mode) == 0 && (group == static_cast<gid_t>(-1) || ::fchown(fd, -1, group) == 0);
    for (std::size_t done = 0; ok && done < content.size();) {
        const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
        ok = n > 0;
        if (ok) done += static_cast<std::size_t>(n);
    }
    ok = ::fsync(fd) == 0 && ok;
    ok = ::close(fd) == 0 && ok;
    if (!ok || ::rename(temp.c_str(), path.c_str()) != 0) {
        const std::string why = std::strerror(errno);
        ::unlink(temp.c_str());
        throw FileError("cannot write " + path.string() + ": " + why);
    }
}

void make_folder(const std::filesystem::path& dir, gid_t group) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) throw FileError("cannot create the folder " + dir.string() + ": " + ec.message());
    const mode_t mode = group == static_cast<gid_t>(-1) ? 0700 : 0750;
    if (::chmod(dir.c_str(), mode) != 0 || (group != static_cast<gid_t>(-1) && ::chown(dir.c_str(), -1, group) != 0))
        throw FileError("cannot set the owner or mode of " + dir.string() + ": " + std::strerror(errno));
}

nlohmann::json read_options(const std::string& file) {
    std::ifstream in(file);
    if (!in) throw AddonOptionError("cannot read the options file " + file);
    std::stringstream text;
    text << in.rdbuf();
    auto options = nlohmann::json::parse(text.str(), nullptr, false);
    if (options.is_discarded()) throw AddonOptionError(file + " is not JSON");
    return options;
}

}  // namespace

int cmd_addon_config(int argc, char** argv) {
    std::string options_file = "/data/options.json";
    std::string group_name;
    AddonLayout layout;
    po::options_description options(
        "kamgw addon-config [--options FILE] [--output DIR]: write kamgw.toml for the Home Assistant add-on\n"
        "from the options the Supervisor wrote (FILE), into DIR with the secrets beside it in DIR/secrets/.\n"
        "An MQTT sink without a broker gets the Supervisor's (GET /services/mqtt); the ha-websocket sink\n"
        "reaches Home Assistant through the Supervisor's proxy. Both use the add-on's token from the\n"
        "environment variable SUPERVISOR_TOKEN. Says on stderr what it decided; never prints a secret.\n\n" +
        exit_code_help({exit_code::ok, exit_code::usage, exit_code::config_error}) + "\nOptions");
    options.add_options()("help,h", "show this help")("options", po::value(&options_file)->value_name("FILE"),
                                                      "the add-on's options (default /data/options.json)")(
        "output", po::value(&layout.output_dir)->value_name("DIR"),
        "where kamgw.toml and secrets/ are written (default /data/kamgw)")(
        "state-dir", po::value(&layout.state_dir)->value_name("DIR"), "[gateway] state_dir (default DIR/state)")(
        "supervisor", po::value(&layout.supervisor_url)->value_name("URL"),
        "the Supervisor's address (default http://supervisor)")(
        "metrics-listen", po::value(&layout.metrics_listen)->value_name("HOST:PORT"),
        "[gateway] metrics_listen, where the health check asks (default 127.0.0.1:9780; empty: off)")(
        "group", po::value(&group_name)->value_name("NAME"),
        "the daemon's group: the files become 0640 and that group's, instead of 0600");
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(argc, argv).options(options).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        std::cerr << "kamgw addon-config: " << e.what() << "\n\n" << options;
        return EX_USAGE;
    }
    if (vm.count("help")) {
        std::cout << options;
        return EX_OK;
    }
    gid_t group = static_cast<gid_t>(-1);
    if (!group_name.empty()) {
        const struct group* g = ::getgrnam(group_name.c_str());
        if (!g) {
            std::cerr << "kamgw addon-config: there is no group '" << group_name << "'\n";
            return EX_USAGE;
        }
        group = g->gr_gid;
    }
    const char* token_env = std::getenv("SUPERVISOR_TOKEN");
    const std::string token = token_env ? token_env : "";
    try {
        const auto addon_options = read_options(options_file);
        std::optional<MqttService> mqtt;
        if (addon_needs(addon_options).mqtt_service && !token.empty()) {
            try {
                mqtt = mqtt_service_from_json(supervisor_get(layout.supervisor_url, "/services/mqtt", token));
            } catch (const SupervisorError& e) {
                throw AddonOptionError(std::string(e.what()) +
                                       "; mqtt_broker is empty, so kamgw needs the Supervisor's broker: install and "
                                       "start the Mosquitto broker add-on, or fill in mqtt_broker");
            }
        }
        const AddonConfig config = addon_config(addon_options, layout, mqtt, token);
        const std::filesystem::path dir = layout.output_dir;
        make_folder(dir, group);
        if (!config.secrets.empty()) make_folder(dir / "secrets", group);
        for (const auto& secret : config.secrets) write_private_file(secret.path, secret.content + "\n", group);
        write_private_file(dir / "kamgw.toml", config.toml, group);
        for (const auto& note : config.notes) std::cerr << "kamgw addon-config: " << note << '\n';
        std::cerr << "kamgw addon-config: wrote " << (dir / "kamgw.toml").string() << '\n';
    } catch (const AddonOptionError& e) {
        std::cerr << "kamgw addon-config: " << e.what() << '\n';
        return EX_CONFIG;
    } catch (const FileError& e) {
        std::cerr << "kamgw addon-config: " << e.what() << '\n';
        return EX_CONFIG;
    }
    return EX_OK;
}

}  // namespace kamgw::app
