#pragma once
#include <string>

namespace gencli {
// Logs go to stderr; once a run folder exists, also to <run>/log.txt (appended on resume).
void init_console_logging();
void add_log_file(const std::string& path);

// GENCLI_DEBUG=1: internal errors print in full (LibTorch's stack traces included).
bool debug_mode();
// The text up to its first line break: what a user sees of an internal error.
std::string first_line(const std::string& text);
}
