#include "plugins/transport-serial/port_lock.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <system_error>

#include "tests/support/temp_dir.hpp"

namespace kamgw::serial {
namespace {

constexpr std::string_view sample_locks =
    "1: POSIX  ADVISORY  WRITE 812 00:19:7 0 EOF\n"
    "2: FLOCK  ADVISORY  WRITE 4711 00:05:88 0 EOF\n"
    "2: -> FLOCK  ADVISORY  WRITE 4800 00:05:88 0 EOF\n"
    "3: FLOCK  ADVISORY  WRITE 999 fd:01:88 0 EOF\n"
    "4: OFDLCK ADVISORY  READ  -1 00:05:90 0 EOF\n";

TEST(PortLock, FindsTheFlockHolderByDeviceAndInode) {
    EXPECT_EQ(find_flock_holder(sample_locks, makedev(0, 5), 88), 4711);
    EXPECT_EQ(find_flock_holder(sample_locks, makedev(0xfd, 1), 88), 999);
    EXPECT_FALSE(find_flock_holder(sample_locks, makedev(0, 19), 7)) << "a POSIX lock is not a flock";
    EXPECT_FALSE(find_flock_holder(sample_locks, makedev(0, 5), 90));
    EXPECT_FALSE(find_flock_holder("", makedev(0, 5), 88));
    EXPECT_FALSE(find_flock_holder("garbage\n1: FLOCK x\n", makedev(0, 5), 88));
}

TEST(PortLock, MessageNamesPathPidAndProgram) {
    EXPECT_EQ(in_use_message("/dev/ttyUSB0", 4711, "ser2net"),
              "/dev/ttyUSB0 is in use by another process (pid 4711, ser2net); only one program may own a meter's port");
    EXPECT_EQ(in_use_message("/dev/ttyUSB0", std::nullopt, ""),
              "/dev/ttyUSB0 is in use by another process; only one program may own a meter's port");
}

// flock() works on any file, so the second-opener path is testable without a tty; TIOCEXCL
// then fails with ENOTTY, which lock_exclusively() tolerates for exactly this reason.
TEST(PortLock, SecondOpenerGetsBusyWithOurPid) {
    test::TempDir dir;
    const auto file = dir.write("port", "");
    const int first = ::open(file.c_str(), O_RDWR | O_CLOEXEC);
    const int second = ::open(file.c_str(), O_RDWR | O_CLOEXEC);
    ASSERT_GE(first, 0);
    ASSERT_GE(second, 0);
    lock_exclusively(first, file.string());
    try {
        lock_exclusively(second, file.string());
        ADD_FAILURE() << "second lock succeeded";
    } catch (const std::system_error& e) {
        EXPECT_EQ(e.code().value(), EBUSY);
        const std::string what = e.what();
        EXPECT_NE(what.find("pid " + std::to_string(::getpid())), std::string::npos) << what;
        EXPECT_NE(what.find("only one program may own a meter's port"), std::string::npos) << what;
    }
    ::close(first);
    EXPECT_NO_THROW(lock_exclusively(second, file.string())) << "closing the owner releases the port";
    ::close(second);
}

}  // namespace
}  // namespace kamgw::serial
