// The README's command-line examples against the real binary. A fenced block after a line
// `<!-- cli-output … -->` holds commands (`$ kamgw …`) each followed by the standard output it
// shows; this test runs every command from the source folder and compares the output's shape:
// the same lines, JSON keys in the same order with the same types, the same CSV columns and
// table rows. Only what changes from run to run is free: times, and the values of `value`.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "tests/support/process.hpp"

namespace kamgw::test {
namespace {

struct Example {
    std::size_t line = 0;  // in README.md, for the failure message
    std::string command;
    std::vector<std::string> output;
};

std::vector<Example> readme_examples() {
    std::ifstream in(source_dir() / "README.md");
    std::vector<Example> out;
    bool armed = false, inside = false;
    std::size_t number = 0;
    for (std::string line; std::getline(in, line);) {
        ++number;
        if (!inside && line.rfind("<!-- cli-output", 0) == 0) {
            armed = true;
        } else if (armed && !inside && line.rfind("```", 0) == 0) {
            inside = true;
        } else if (inside && line.rfind("```", 0) == 0) {
            inside = armed = false;
        } else if (inside && line.rfind("$ ", 0) == 0) {
            out.push_back({number, line.substr(2), {}});
        } else if (inside && !out.empty()) {
            out.back().output.push_back(line);
        }
    }
    return out;
}

// Standard output only: the README shows what a pipe would get.
std::vector<std::string> run_example(const std::string& command) {
    const std::string bin = kamgw_binary().parent_path().string();
    const auto r = run_command(
        {"/bin/sh", "-c",
         "cd '" + source_dir().string() + "' && PATH='" + bin + "':\"$PATH\" && { " + command + "; } 2>/dev/null"},
        std::chrono::seconds(90));
    std::vector<std::string> lines;
    std::istringstream text(r.output);
    for (std::string line; std::getline(text, line);) lines.push_back(line);
    return lines;
}

bool is_time(const std::string& s) { return std::regex_match(s, std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ,?)")); }
bool is_number(const std::string& s) { return std::regex_match(s, std::regex(R"(-?\d+(\.\d+)?)")); }

// The fields whose values move with the simulated meter's clock.
const std::set<std::string> free_fields = {"value", "time"};

using Json = nlohmann::ordered_json;
using Problems = std::vector<std::string>;

bool same_type(const Json& a, const Json& b) { return a.is_number() ? b.is_number() : a.type() == b.type(); }

void compare_json(const std::string& shown, const std::string& real, const std::string& where, Problems& problems) {
    const Json a = Json::parse(shown), b = Json::parse(real, nullptr, false);
    if (b.is_discarded()) {
        problems.push_back(where + ": not JSON: " + real);
        return;
    }
    std::vector<std::string> keys_a, keys_b;
    for (const auto& [k, v] : a.items()) keys_a.push_back(k);
    for (const auto& [k, v] : b.items()) keys_b.push_back(k);
    if (keys_a != keys_b) {
        problems.push_back(where + ": other keys or order; README\n  " + shown + "\nreal\n  " + real);
        return;
    }
    for (const auto& [k, v] : a.items()) {
        if (!same_type(v, b[k]))
            problems.push_back(where + ": '" + k + "' is " + b[k].type_name() + ", README shows " + v.type_name());
        else if (!free_fields.count(k) && v != b[k])
            problems.push_back(where + ": '" + k + "' is " + b[k].dump() + ", README shows " + v.dump());
    }
}

std::vector<std::string> split(const std::string& line, char separator) {
    std::vector<std::string> out;
    std::istringstream in(line);
    for (std::string field; std::getline(in, field, separator);)
        if (separator != ' ' || !field.empty()) out.push_back(field);
    if (separator == ',' && !line.empty() && line.back() == ',') out.emplace_back();
    return out;
}

// CSV (split at commas) and tables (at blanks): the column header (the first row that names a
// free field; `read` prints a line about the meter above it) names the free columns.
void compare_columns(const std::vector<std::string>& shown, const std::vector<std::string>& real, char separator,
                     const std::string& where, Problems& problems) {
    std::size_t header_row = 0;
    std::set<std::size_t> free;
    for (std::size_t row = 0; row < shown.size() && free.empty(); ++row) {
        const auto fields = split(shown[row], separator);
        for (std::size_t i = 0; i < fields.size(); ++i)
            if (free_fields.count(fields[i])) free.insert(i);
        header_row = row;
    }
    for (std::size_t row = 0; row < shown.size(); ++row) {
        const auto a = split(shown[row], separator), b = split(real[row], separator);
        const std::string mismatch =
            where + ", line " + std::to_string(row + 1) + ": README\n  " + shown[row] + "\nreal\n  " + real[row];
        bool same = a.size() == b.size();
        for (std::size_t i = 0; same && i < a.size(); ++i) {
            if ((row > header_row && free.count(i)) || is_time(a[i]))
                same = is_time(a[i]) ? is_time(b[i]) : is_number(b[i]) || b[i].empty();
            else
                same = a[i] == b[i];
        }
        if (!same) problems.push_back(mismatch);
    }
}

bool is_csv(const std::string& header) {
    return header.find(',') != std::string::npos && header.find(' ') == std::string::npos;
}

Problems compare(const Example& e, const std::vector<std::string>& real) {
    const std::string where = "README.md:" + std::to_string(e.line) + " `" + e.command + "`";
    Problems problems;
    if (e.output.size() != real.size()) {
        std::string printed;
        for (const auto& line : real) printed += "\n  " + line;
        problems.push_back(where + ": the README shows " + std::to_string(e.output.size()) +
                           " lines, the command printed:" + printed);
        return problems;
    }
    std::vector<std::string> block_a, block_b;
    const auto flush = [&] {
        if (!block_a.empty()) compare_columns(block_a, block_b, is_csv(block_a.front()) ? ',' : ' ', where, problems);
        block_a.clear();
        block_b.clear();
    };
    for (std::size_t i = 0; i < real.size(); ++i) {
        if (!e.output[i].empty() && e.output[i].front() == '{') {
            flush();
            compare_json(e.output[i], real[i], where + ", line " + std::to_string(i + 1), problems);
        } else {
            block_a.push_back(e.output[i]);
            block_b.push_back(real[i]);
        }
    }
    flush();
    return problems;
}

std::string joined(const Problems& problems) {
    std::string out;
    for (const auto& p : problems) out += p + "\n";
    return out;
}

TEST(ReadmeExamples, EveryShownOutputMatchesWhatTheCommandPrints) {
    const auto examples = readme_examples();
    std::set<std::string> covered;
    const std::vector<std::string> forms = {"read", "--json", "--csv", "scan", "decode", "echo"};
    for (const auto& e : examples) {
        const auto problems = compare(e, run_example(e.command));
        EXPECT_TRUE(problems.empty()) << joined(problems);
        for (const auto& form : forms)
            if (e.command.find(form) != std::string::npos) covered.insert(form);
    }
    // Losing the markers must not make this test pass with nothing checked.
    for (const auto& form : forms) EXPECT_TRUE(covered.count(form)) << "no checked README example uses " << form;
}

// The checker itself: a README that drifted from the real output must fail it.
TEST(ReadmeExamples, TheComparisonNoticesDrift) {
    const Example json{1, "x", {R"({"meter":"m","serial":"1","value":1.5,"time":"2026-01-01T00:00:00Z"})"}};
    EXPECT_TRUE(compare(json, {R"({"meter":"m","serial":"1","value":2,"time":"2026-01-02T10:00:00Z"})"}).empty());
    EXPECT_EQ(compare(json, {R"({"meter":"m","serial":1,"value":2.5,"time":"2026-01-02T00:00:00Z"})"}).size(), 1u);
    EXPECT_EQ(compare(json, {R"({"meter":"n","serial":"1","value":2.5,"time":"2026-01-02T00:00:00Z"})"}).size(), 1u);
    EXPECT_EQ(compare(json, {R"({"meter":"m","value":2.5,"serial":"1","time":"2026-01-02T00:00:00Z"})"}).size(), 1u);
    EXPECT_EQ(compare(json, {R"({"meter":"m","serial":"1","value":"2.5","time":"2026-01-02T00:00:00Z"})"}).size(), 1u);

    const Example csv{1, "x", {"time,meter,value", "2026-01-01T00:00:00Z,m,1.5"}};
    EXPECT_TRUE(compare(csv, {"time,meter,value", "2026-03-01T00:00:00Z,m,7"}).empty());
    EXPECT_EQ(compare(csv, {"meter,time,value", "m,2026-01-01T00:00:00Z,1.5"}).size(), 2u);
    EXPECT_EQ(compare(csv, {"time,meter,value"}).size(), 1u);

    const Example table{1, "x", {"id  key  value  unit", "60  heat_energy  1.5  MWh"}};
    EXPECT_TRUE(compare(table, {"id  key    value  unit", "60  heat_energy   2.75  MWh"}).empty());
    EXPECT_EQ(compare(table, {"id  key  value  unit", "60  heat_energy  1.5  GJ"}).size(), 1u);
    EXPECT_EQ(compare(table, {"id  key  value  unit", "61  heat_energy  1.5  MWh"}).size(), 1u);
}

}  // namespace
}  // namespace kamgw::test
