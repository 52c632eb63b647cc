#pragma once
// Error types that map to gencli's documented exit codes (see src/main.cpp).
#include <stdexcept>
#include <string>

namespace gencli {

// Bad input from the user: a config, a flag, a data file. Exit code 2.
// The message must name the file, key or value at fault.
class UserError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A config key, type or value is wrong. Message starts with "config error: ".
class ConfigError : public UserError {
 public:
  explicit ConfigError(const std::string& what) : UserError("config error: " + what) {}
};

// A data file is missing, truncated or corrupt. Message starts with "data error: ".
class DataError : public UserError {
 public:
  explicit DataError(const std::string& what) : UserError("data error: " + what) {}
};

// Training stopped on purpose (Ctrl-C / SIGTERM) after saving a checkpoint. Exit code 130.
class Interrupted : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A loss became NaN or Inf. The last good checkpoint is kept. Exit code 3.
class TrainingDiverged : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Another process of a data-parallel run died, hung or disagreed (different data or weights).
// Exit code 4; the message names the rank. The last checkpoint is left as it was.
class PeerFailure : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Ends the program with `code` and no message of its own: whoever failed has already said why
// (the workers of `gencli train --nproc`).
class ExitWith : public std::exception {
 public:
  explicit ExitWith(int code) : code_(code) {}
  int code() const { return code_; }
  const char* what() const noexcept override { return "exit"; }

 private:
  int code_;
};

}  // namespace gencli
