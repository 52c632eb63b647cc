#include "io/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "core/errors.h"

namespace gencli {
namespace {

std::string errno_text() { return std::strerror(errno); }

std::string parent_dir(const std::string& path) {
  const auto slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

// The writer may have used buffered streams that it closed; fsync makes the bytes durable
// before the rename publishes them, so a crash cannot leave an empty file under path.
void fsync_file(const std::string& tmp_path, const std::string& path) {
  const int fd = ::open(tmp_path.c_str(), O_RDONLY);
  if (fd < 0) {
    throw UserError("cannot write " + path + ": temporary file " + tmp_path + " was not created (" +
                    errno_text() + ")");
  }
  const int rc = ::fsync(fd);
  const std::string why = rc != 0 ? errno_text() : "";
  ::close(fd);
  if (rc != 0) throw UserError("cannot write " + path + ": fsync failed (" + why + ")");
}

// Syncing the folder makes the rename itself durable; failure here is not fatal since the
// data is already in place (some file systems refuse fsync on directories).
void fsync_dir_best_effort(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

std::string atomic_temp_path(const std::string& path) {
  return path + ".tmp." + std::to_string(::getpid());
}

void write_atomically(const std::string& path,
                      const std::function<void(const std::string& tmp_path)>& writer) {
  const std::string tmp = atomic_temp_path(path);
  try {
    writer(tmp);
    fsync_file(tmp, path);
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
      throw UserError("cannot write " + path + ": rename from " + tmp + " failed (" + errno_text() +
                      ")");
    }
  } catch (...) {
    std::remove(tmp.c_str());
    throw;
  }
  fsync_dir_best_effort(parent_dir(path));
}

void write_file_atomically(const std::string& path, const std::string& bytes) {
  write_atomically(path, [&](const std::string& tmp) {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out)
      throw UserError("cannot write " + path + ": cannot create " + tmp + " (" + errno_text() +
                      ")");
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.close();
    if (!out) throw UserError("cannot write " + path + ": writing " + tmp + " failed");
  });
}

std::string read_file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw DataError(path + ": cannot open (" + std::strerror(errno) + ")");
  std::ostringstream buf;
  buf << in.rdbuf();
  if (in.bad()) throw DataError(path + ": read error");
  return buf.str();
}

}  // namespace gencli
