#pragma once
// One writer per run folder. `train` holds an advisory lock on <run>/.lock for the whole run;
// a second `train` into the same folder (fresh or --resume) is refused with the holder's PID.
// The kernel drops the lock when the holder dies, even by kill -9, so a lock is never stale.
#include <string>

namespace gencli {

class RunLock {
 public:
  // Takes the lock on `run_dir` (which must exist), or throws UserError naming the folder and
  // the PID that holds it.
  explicit RunLock(const std::string& run_dir);
  ~RunLock();
  RunLock(const RunLock&) = delete;
  RunLock& operator=(const RunLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace gencli
