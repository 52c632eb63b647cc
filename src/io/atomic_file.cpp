#include "io/atomic_file.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/errors.h"

namespace gencli {
namespace fs = std::filesystem;
namespace {

std::string errno_text(int err) { return std::strerror(err); }

std::string parent_dir(const std::string& path) {
  const auto slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

// Without this a file larger than `ulimit -f` kills the process silently (SIGXFSZ); ignored,
// the write fails with EFBIG and gets the same one-line error as a full disk.
void ignore_file_size_signal() {
  static const bool done = [] {
    ::signal(SIGXFSZ, SIG_IGN);
    return true;
  }();
  (void)done;
}

const char* kind_of(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISCHR(mode)) return "a character device";
  return "not a regular file";
}

// Where a write to `path` lands. A symlink is followed, so the link stays a link and its target
// is replaced; anything that exists and is not a regular file is left alone (see write_file_atomically).
struct WriteTarget {
  std::string path;       // the file to replace (the symlink's target for a symlink)
  bool device = false;    // an existing character device: written through, never replaced
};

WriteTarget resolve_target(const std::string& path) {
  WriteTarget t{path};
  struct stat link_st {};
  if (::lstat(path.c_str(), &link_st) != 0) return t;  // a new file
  if (S_ISLNK(link_st.st_mode)) {
    std::error_code ec;
    const fs::path resolved = fs::weakly_canonical(path, ec);
    if (ec) throw UserError("cannot write " + path + ": cannot follow the symlink (" + ec.message() + ")");
    t.path = resolved.string();
  }
  struct stat st {};
  if (::stat(t.path.c_str(), &st) != 0) return t;  // a dangling link: create its target
  if (S_ISREG(st.st_mode)) return t;
  if (S_ISCHR(st.st_mode)) {
    t.device = true;
    return t;
  }
  throw UserError("cannot write " + path + ": it is " + kind_of(st.st_mode) + ", not a regular file");
}

// Writes all of `bytes` to fd; false with errno set on failure (ENOSPC, EFBIG, EIO ...).
bool write_all(int fd, const std::string& bytes) {
  const char* p = bytes.data();
  size_t left = bytes.size();
  while (left > 0) {
    const ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  return true;
}

void write_through_device(const std::string& path, const std::string& bytes) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) throw UserError("cannot write " + path + ": " + errno_text(errno));
  const bool ok = write_all(fd, bytes);
  const int err = errno;
  ::close(fd);
  if (!ok) throw UserError("cannot write " + path + ": " + errno_text(err));
}

// The bytes must be durable before the rename publishes them, so a crash cannot leave an
// empty file under path.
void fsync_file(const std::string& tmp_path, const std::string& path) {
  const int fd = ::open(tmp_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    throw UserError("cannot write " + path + ": temporary file " + tmp_path + " was not created (" +
                    errno_text(errno) + ")");
  }
  const int rc = ::fsync(fd);
  const std::string why = rc != 0 ? errno_text(errno) : "";
  ::close(fd);
  if (rc != 0) throw UserError("cannot write " + path + ": fsync failed (" + why + ")");
}

// Syncing the folder makes the rename itself durable; failure here is not fatal since the
// data is already in place (some file systems refuse fsync on directories).
void fsync_dir_best_effort(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

void publish(const std::string& tmp, const std::string& target, const std::string& path) {
  if (std::rename(tmp.c_str(), target.c_str()) != 0)
    throw UserError("cannot write " + path + ": rename from " + tmp + " failed (" + errno_text(errno) + ")");
  fsync_dir_best_effort(parent_dir(target));
}

}  // namespace

std::string atomic_temp_path(const std::string& path) {
  return path + ".tmp." + std::to_string(::getpid());
}

void write_atomically(const std::string& path,
                      const std::function<void(const std::string& tmp_path)>& writer) {
  ignore_file_size_signal();
  const WriteTarget target = resolve_target(path);
  if (target.device) {
    // Let the writer make an ordinary file elsewhere, then copy its bytes through.
    const std::string tmp = atomic_temp_path((fs::temp_directory_path() / "gencli-device-write").string());
    try {
      writer(tmp);
      write_through_device(target.path, read_file_bytes(tmp));
    } catch (...) {
      std::remove(tmp.c_str());
      throw;
    }
    std::remove(tmp.c_str());
    return;
  }
  const std::string tmp = atomic_temp_path(target.path);
  try {
    writer(tmp);
    fsync_file(tmp, path);
    publish(tmp, target.path, path);
  } catch (...) {
    std::remove(tmp.c_str());
    throw;
  }
}

void write_file_atomically(const std::string& path, const std::string& bytes) {
  ignore_file_size_signal();
  const WriteTarget target = resolve_target(path);
  if (target.device) return write_through_device(target.path, bytes);
  const std::string tmp = atomic_temp_path(target.path);
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw UserError("cannot write " + path + ": cannot create " + tmp + " (" + errno_text(errno) + ")");
  const bool written = write_all(fd, bytes);
  int err = errno;
  const bool synced = written && ::fsync(fd) == 0;
  if (written && !synced) err = errno;
  ::close(fd);
  if (!written || !synced) {
    std::remove(tmp.c_str());  // a full disk must not keep the half-written temporary
    throw UserError("cannot write " + path + ": " + errno_text(err));
  }
  try {
    publish(tmp, target.path, path);
  } catch (...) {
    std::remove(tmp.c_str());
    throw;
  }
}

std::string read_file_bytes(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) throw DataError(path + ": cannot open (" + errno_text(errno) + ")");
  // A FIFO would block forever and a directory reads as an obscure stream error.
  if (!S_ISREG(st.st_mode)) throw DataError(path + ": is " + kind_of(st.st_mode) + ", not a regular file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw DataError(path + ": cannot open (" + errno_text(errno) + ")");
  std::ostringstream buf;
  buf << in.rdbuf();
  if (in.bad()) throw DataError(path + ": read error");
  return buf.str();
}

bool is_stale_temporary(const std::string& name) {
  const auto at = name.rfind(".tmp.");
  if (at == std::string::npos) return false;
  const std::string digits = name.substr(at + 5);
  if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos) return false;
  const long pid = std::strtol(digits.c_str(), nullptr, 10);
  // Signal 0 only asks whether the process exists; EPERM means it does, under another user.
  return pid > 0 && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH;
}

}  // namespace gencli
