#include "core/logging.h"

#include <cstdlib>

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

namespace gencli {

void init_console_logging() {
  auto logger = std::make_shared<spdlog::logger>("gencli", std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
  logger->set_pattern("%^%l%$ %v");
  spdlog::set_default_logger(logger);
}

void add_log_file(const std::string& path) {
  auto sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(path, /*truncate=*/false);
  sink->set_pattern("[%Y-%m-%d %H:%M:%S.%e] %l %v");
  spdlog::default_logger()->sinks().push_back(sink);
  // Each line reaches the file at once, so a run killed by kill -9 leaves a log that says
  // everything up to its last step (best.pt announcements included).
  spdlog::default_logger()->flush_on(spdlog::level::info);
}

}  // namespace gencli

namespace gencli {

bool debug_mode() {
  const char* v = std::getenv("GENCLI_DEBUG");
  return v != nullptr && std::string(v) != "" && std::string(v) != "0";
}

std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

}  // namespace gencli
