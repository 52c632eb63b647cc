#pragma once
// Shared by the harnesses. A gencli::UserError (or a subclass) is the documented answer to
// bad input; its message must be one line and name the input. Any other exception escaping
// is a finding, and so is a crash or a sanitizer report: the harness aborts.
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <typeinfo>

#include "core/errors.h"

namespace gencli::fuzz {

[[noreturn]] inline void finding(const std::string& what) {
  std::fprintf(stderr, "FINDING: %s\n", what.c_str());
  std::abort();
}

// Runs f; returns true when it returned normally, false when it threw a UserError whose
// message is one line and (when `name` is not empty) contains `name`.
template <class F>
bool accepts(const std::string& name, F&& f) {
  try {
    f();
    return true;
  } catch (const gencli::UserError& e) {
    const std::string msg = e.what();
    if (msg.find('\n') != std::string::npos) finding("error message spans lines: " + msg);
    if (!name.empty() && msg.find(name) == std::string::npos)
      finding("error message does not name " + name + ": " + msg);
    return false;
  } catch (const std::exception& e) {
    finding(std::string("non-gencli exception ") + typeid(e).name() + ": " + e.what());
  } catch (...) {
    finding("an exception not derived from std::exception");
  }
}

// A file that lives in memory (memfd), for the file-based entry points. Its path goes
// through /proc/self/fd, so every call reopens it from the start.
class MemoryFile {
 public:
  explicit MemoryFile(const char* label) : fd_(memfd_create(label, 0)) {
    if (fd_ < 0) finding("memfd_create failed");
    path_ = "/proc/self/fd/" + std::to_string(fd_);
  }
  ~MemoryFile() { close(fd_); }
  MemoryFile(const MemoryFile&) = delete;
  MemoryFile& operator=(const MemoryFile&) = delete;

  const std::string& hold(const uint8_t* data, size_t size) {
    if (ftruncate(fd_, 0) != 0) finding("ftruncate failed");
    size_t done = 0;
    while (done < size) {
      const ssize_t n = pwrite(fd_, data + done, size - done, off_t(done));
      if (n <= 0) finding("pwrite failed");
      done += size_t(n);
    }
    return path_;
  }

 private:
  int fd_;
  std::string path_;
};

}  // namespace gencli::fuzz
