// kamgw registers: the register catalogue as a table, or as JSON Lines with --json.
#include <boost/program_options.hpp>
#include <iostream>
#include <string>
#include <vector>

#include "core/app/commands.hpp"
#include "kamgw/json_object.hpp"
#include "core/kmp/register_catalogue.hpp"
#include "kamgw/home_assistant.hpp"

namespace kamgw::app {
namespace {

namespace po = boost::program_options;

std::string ha_summary(const HaHints& ha) {
    const auto device = ha_device_class_name(ha.device_class);
    const auto state = ha_state_class_name(ha.state_class);
    std::string out;
    out.append(device.empty() ? std::string_view("-") : device);
    out.push_back('/');
    out.append(state.empty() ? std::string_view("-") : state);
    return out;
}

// Display width of UTF-8 text: counts code points, not bytes ("m³" is two columns wide).
std::size_t width(std::string_view s) {
    std::size_t n = 0;
    for (unsigned char c : s)
        if ((c & 0xC0) != 0x80) ++n;
    return n;
}

void print_table(std::ostream& out) {
    const std::vector<std::string> header = {
        "ID", "KEY", "NAME", "QUANTITY", "UNIT (TYPICAL)", "HOME ASSISTANT (DEVICE/STATE CLASS)", "DEFAULT"};
    std::vector<std::vector<std::string>> rows;
    for (const auto& r : kmp::register_catalogue()) {
        const auto unit = unit_symbol(kmp::typical_unit(r));
        rows.push_back({std::to_string(r.id), std::string(r.key), std::string(r.name),
                        std::string(quantity_name(r.quantity)), unit.empty() ? "-" : std::string(unit),
                        ha_summary(r.ha), r.on_by_default ? "on" : "off"});
    }
    std::vector<std::size_t> widths(header.size());
    for (std::size_t c = 0; c < header.size(); ++c) {
        widths[c] = width(header[c]);
        for (const auto& row : rows) widths[c] = std::max(widths[c], width(row[c]));
    }
    const auto print_row = [&](const std::vector<std::string>& row) {
        std::string line;
        for (std::size_t c = 0; c < row.size(); ++c) {
            // The id is a number: right-aligned. Everything else left-aligned.
            const std::size_t pad = widths[c] - width(row[c]);
            if (c == 0) line.append(pad, ' ');
            line.append(row[c]);
            if (c != 0 && c + 1 < row.size()) line.append(pad, ' ');
            if (c + 1 < row.size()) line.append("  ");
        }
        out << line << '\n';
    };
    print_row(header);
    for (const auto& row : rows) print_row(row);
    out << "\n'on' registers are read when a meter's configuration lists none. Any other register can be\n"
           "named by number in a configuration (\"1234\" or \"0x4d2\"); its key is then r<id>.\n";
}

void print_json(std::ostream& out) {
    for (const auto& r : kmp::register_catalogue()) {
        JsonObject o;
        o.number("id", r.id)
            .string("key", r.key)
            .string("name", r.name)
            .string("quantity", quantity_name(r.quantity))
            .string("typical_unit", unit_symbol(kmp::typical_unit(r)))
            .boolean("on_by_default", r.on_by_default);
        const auto opt = [&](std::string_view key, std::string_view value) {
            value.empty() ? o.null(key) : o.string(key, value);
        };
        opt("device_class", ha_device_class_name(r.ha.device_class));
        opt("state_class", ha_state_class_name(r.ha.state_class));
        opt("entity_category", ha_entity_category_name(r.ha.entity_category));
        if (r.ha.display_precision >= 0)
            o.number("display_precision", r.ha.display_precision);
        else
            o.null("display_precision");
        opt("icon", r.ha.icon);
        out << o.str() << '\n';
    }
}

}  // namespace

int cmd_registers(int argc, char** argv) {
    po::options_description options(
        "Usage: kamgw registers [--json]\n\n"
        "Prints the register catalogue: id, key, name, quantity, the unit meters usually send,\n"
        "how Home Assistant is told to show it, and whether it is read by default.\n\nOptions");
    options.add_options()("help,h", "show this help")("json", "one JSON object per register (JSON Lines)");
    po::variables_map vm;
    try {
        po::store(po::parse_command_line(argc, argv, options), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        std::cerr << "kamgw registers: " << e.what() << "\nRun 'kamgw registers --help' for the options.\n";
        return EX_USAGE;
    }
    if (vm.count("help")) {
        std::cout << options << '\n';
        return EX_OK;
    }
    if (vm.count("json"))
        print_json(std::cout);
    else
        print_table(std::cout);
    return EX_OK;
}

}  // namespace kamgw::app
