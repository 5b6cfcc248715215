// The exit-code table is code (exit_codes.hpp); the man page, the README and --help must list
// exactly its codes, so a script author reading any of them learns the same thing.
#include <gtest/gtest.h>

#include <fstream>
#include <cctype>
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

// The numbers written as `before` DIGITS `after` in `text` (a table row, a man page tag). A
// plain scan: <regex> trips g++ 12's maybe-uninitialized warning in the sanitizer build.
std::set<int> codes_in(const std::string& text, const std::string& before, const std::string& after) {
    std::set<int> out;
    for (auto at = text.find(before); at != std::string::npos; at = text.find(before, at + 1)) {
        std::size_t end = at + before.size();
        while (end < text.size() && std::isdigit(static_cast<unsigned char>(text[end]))) ++end;
        if (end == at + before.size() || text.compare(end, after.size(), after) != 0) continue;
        out.insert(std::stoi(text.substr(at + before.size(), end - at - before.size())));
    }
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
    EXPECT_EQ(codes_in(section, "\n.TP\n.B ", "\n"), table_codes()) << section;
}

TEST(ExitCodes, TheReadmeListsExactlyTheseCodes) {
    const auto readme = file_text(test::source_dir() / "README.md");
    const auto section = between(readme, "## Command line", "\n## ");
    ASSERT_FALSE(section.empty()) << "no Command line section";
    EXPECT_EQ(codes_in(section, "\n| ", " |"), table_codes()) << section;
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
