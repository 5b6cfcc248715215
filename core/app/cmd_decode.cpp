// kamgw decode [HEX… | -]: KMP frames given as hex, or a debug log on stdin, printed as JSON
// Lines. The decoding itself is core/kmp/decode_text; this file only reads and prints.
#include <boost/program_options.hpp>
#include <iostream>
#include <string>
#include <vector>

#include "core/app/commands.hpp"
#include "core/app/exit_codes.hpp"
#include "core/kmp/decode_text.hpp"

namespace kamgw::app {
namespace {

namespace po = boost::program_options;

void print_lines(std::vector<std::string>& lines) {
    for (const auto& line : lines) std::cout << line << '\n';
    std::cout.flush();  // one frame at a time, so `tail -f log | kamgw decode` shows each as it comes
    lines.clear();
}

}  // namespace

int cmd_decode(int argc, char** argv) {
    po::options_description options(
        "Usage: kamgw decode [OPTIONS] [HEX… | -]\n\n"
        "Decodes KMP frames and prints one JSON object per frame (JSON Lines).\n"
        "Frames come as hex arguments (\"80 3f 01 05 8a 0d\", \"803F01058A0D\", several frames at once),\n"
        "or, with '-' or no arguments, as lines on stdin: plain hex, or a debug log with\n"
        "'Write: 80 3f …' lines and one 'Read: 40' line per received byte.\n"
        "A frame's serial number is a JSON string, as in read --json.\n\n" +
        exit_code_help({exit_code::ok, exit_code::usage, exit_code::data_error}) + "\nOptions");
    std::string address_text;
    options.add_options()("help,h", "show this help")(
        "address,a", po::value<std::string>(&address_text),
        "report frames for any other destination address as errors (63 or 0x3f meter, 0x7f/0xbf logger)");
    po::options_description hidden;
    hidden.add_options()("input", po::value<std::vector<std::string>>()->composing(), "hex or '-'");
    po::options_description all;
    all.add(options).add(hidden);
    po::positional_options_description positional;
    positional.add("input", -1);

    po::variables_map vm;
    try {
        po::store(po::command_line_parser(argc, argv).options(all).positional(positional).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        std::cerr << "kamgw decode: " << e.what() << "\nRun 'kamgw decode --help' for the options.\n";
        return EX_USAGE;
    }
    if (vm.count("help")) {
        std::cout << options << '\n';
        return EX_OK;
    }

    kmp::DecodeTextOptions decode_options;
    if (!address_text.empty()) {
        std::size_t used = 0;
        unsigned long address = 0;
        try {
            address = std::stoul(address_text, &used, 0);
        } catch (const std::exception&) {
            used = 0;
        }
        if (used != address_text.size() || address > 0xFF) {
            std::cerr << "kamgw decode: --address '" << address_text
                      << "' is not a byte; give e.g. 0x3f (meter), 0x7f or 0xbf (logger)\n";
            return EX_USAGE;
        }
        decode_options.expected_address = static_cast<std::uint8_t>(address);
    }

    std::vector<std::string> inputs;
    if (vm.count("input")) inputs = vm["input"].as<std::vector<std::string>>();
    const bool from_stdin = inputs.empty() || (inputs.size() == 1 && inputs[0] == "-");

    kmp::TextDecoder decoder(decode_options);
    std::vector<std::string> lines;
    if (from_stdin) {
        std::string line;
        while (std::getline(std::cin, line)) {
            decoder.feed_line(line, lines);
            print_lines(lines);
        }
    } else {
        // Frames delimit themselves, so the arguments are one byte stream: "80 3f 01 05 8a 0d"
        // quoted or not gives the same frame.
        std::string joined;
        for (const auto& in : inputs) {
            if (in == "-") {
                std::cerr << "kamgw decode: '-' (stdin) cannot be mixed with hex arguments\n";
                return EX_USAGE;
            }
            joined += in;
            joined += ' ';
        }
        decoder.feed_hex_argument(joined, lines);
    }
    decoder.finish(lines);
    print_lines(lines);
    return decoder.any_bad() ? EX_DATAERR : EX_OK;
}

}  // namespace kamgw::app
