#pragma once
#include <string>

namespace gencli {
// Logs go to stderr; once a run folder exists, also to <run>/log.txt (appended on resume).
void init_console_logging();
void add_log_file(const std::string& path);
}
