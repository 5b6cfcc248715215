// Line protocol appended to a file or standard output, for Telegraf's inputs.file / tail.
#pragma once

#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>

namespace kamgw::influxdb {

class FileWriter {
public:
    explicit FileWriter(std::filesystem::path path);  // "-" is standard output
    ~FileWriter();
    FileWriter(const FileWriter&) = delete;
    FileWriter& operator=(const FileWriter&) = delete;

    // Appends and flushes; returns an error sentence, or "" when written.
    std::string write(std::string_view text);
    // Closes and opens the path again (after logrotate moved the file away).
    void reopen();

private:
    std::string open();
    std::filesystem::path path_;
    std::FILE* file_ = nullptr;
    bool partial_line_ = false;
};

}  // namespace kamgw::influxdb
