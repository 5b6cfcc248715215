// The exit-code table is code (exit_codes.hpp); the man page, the README and --help must list
// exactly its codes, so a script author reading any of them learns the same thing.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "core/app/exit_codes.hpp"
#include "tests/support/process.hpp"

namespace kamgw::app {
namespace {

std::string file_text(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string between(const std::string& text, const std::string& from, const std::string& to) {
    const auto a = text.find(from);
    if (a == std::string::npos) return {};
    const auto b = text.find(to, a + from.size());
    return text.substr(a, b == std::string::npos ? std::string::npos : b - a);
}

std::set<int> codes_in(const std::string& text, const std::regex& row) {
    std::set<int> out;
    for (auto it = std::sregex_iterator(text.begin(), text.end(), row); it != std::sregex_iterator(); ++it)
        out.insert(std::stoi((*it)[1]));
    return out;
}

std::set<int> table_codes() {
    std::set<int> out;
    for (const auto& e : exit_codes()) out.insert(e.code);
    return out;
}

TEST(ExitCodes, EachCodeOnceAndAscending) {
    int last = -1;
    for (const auto& e : exit_codes()) {
        EXPECT_GT(e.code, last) << e.meaning;
        EXPECT_FALSE(e.meaning.empty());
        last = e.code;
    }
    EXPECT_EQ(table_codes().size(), exit_codes().size());
}

TEST(ExitCodes, TheManPageListsExactlyTheseCodes) {
    const auto man = file_text(test::source_dir() / "packaging/man/kamgw.8");
    const auto section = between(man, ".SH EXIT STATUS", "\n.SH ");
    ASSERT_FALSE(section.empty()) << "no EXIT STATUS section";
    EXPECT_EQ(codes_in(section, std::regex(R"(\n\.TP\n\.B (\d+)\n)")), table_codes()) << section;
}

TEST(ExitCodes, TheReadmeListsExactlyTheseCodes) {
    const auto readme = file_text(test::source_dir() / "README.md");
    const auto section = between(readme, "## Command line", "\n## ");
    ASSERT_FALSE(section.empty()) << "no Command line section";
    EXPECT_EQ(codes_in(section, std::regex(R"(\n\| (\d+) \|)")), table_codes()) << section;
}

TEST(ExitCodes, HelpShowsTheAskedCodesWithTheirMeaning) {
    const std::string some = exit_code_help({exit_code::ok, exit_code::partial});
    EXPECT_NE(some.find("  0    success"), std::string::npos) << some;
    EXPECT_NE(some.find("  3    the meter answered"), std::string::npos) << some;
    EXPECT_EQ(some.find("78"), std::string::npos) << some;
    const std::string all = exit_code_help();
    for (const auto& e : exit_codes()) EXPECT_NE(all.find(std::string(e.meaning)), std::string::npos) << e.meaning;
}

}  // namespace
}  // namespace kamgw::app
