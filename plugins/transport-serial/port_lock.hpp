// Owning a serial port exclusively: a meter answers one request at a time, so a second
// program on the same port (another kamgw, ModemManager, a forgotten minicom) garbles both.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>

namespace kamgw::serial {

// The pid holding a flock() on the file with device number `dev` and inode `ino`, from the
// text of /proc/locks ("1: FLOCK  ADVISORY  WRITE 4711 00:19:7 0 EOF"), or nullopt.
std::optional<pid_t> find_flock_holder(std::string_view proc_locks, dev_t dev, ino_t ino);

// "/dev/ttyUSB0 is in use by another process (pid 4711, ser2net); only one program may own
// a meter's port"
std::string in_use_message(const std::string& path, std::optional<pid_t> holder, const std::string& holder_name);

// Takes a non-blocking exclusive flock on `fd` (opened from `path`) and sets TIOCEXCL so
// programs that do not use flock are refused too. Throws std::system_error (EBUSY) with
// in_use_message() if another open file holds the lock.
void lock_exclusively(int fd, const std::string& path);

}  // namespace kamgw::serial
