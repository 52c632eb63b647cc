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

}  // namespace gencli
