#include "core/progress.h"

#include <unistd.h>

#include <cstdio>
#include <spdlog/spdlog.h>

namespace gencli {

namespace {
std::string duration_text(double seconds) {
  const long s = static_cast<long>(seconds + 0.5);
  char buf[32];
  if (s >= 3600)
    std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, (s / 60) % 60, s % 60);
  else
    std::snprintf(buf, sizeof buf, "%02ld:%02ld", s / 60, s % 60);
  return buf;
}
}  // namespace

Progress::Progress(int64_t first_step, int64_t total_steps, int64_t log_every, std::string what,
                   int64_t samples_per_step)
    : first_(first_step), total_(total_steps), log_every_(log_every), last_done_(first_step),
      samples_per_step_(samples_per_step), what_(std::move(what)),
      terminal_(isatty(STDERR_FILENO)), start_(Clock::now()), last_draw_(Clock::time_point()) {}

double Progress::steps_per_second() const {
  const double elapsed = std::chrono::duration<double>(Clock::now() - start_).count();
  return elapsed > 0 ? static_cast<double>(last_done_ - first_) / elapsed : 0.0;
}

std::string Progress::describe(int64_t done, const StepMetrics& metrics) const {
  std::string text;
  char buf[64];
  for (const auto& [name, value] : metrics) {
    std::snprintf(buf, sizeof buf, " %s %.4g", name.c_str(), value);
    text += buf;
  }
  const double rate = steps_per_second();
  const double eta = rate > 0 ? static_cast<double>(total_ - done) / rate : 0;
  std::snprintf(buf, sizeof buf, " | %.1f it/s", rate);
  text += buf;
  if (samples_per_step_ > 0) {
    std::snprintf(buf, sizeof buf, " %.0f samples/s", rate * static_cast<double>(samples_per_step_));
    text += buf;
  }
  std::snprintf(buf, sizeof buf, " ETA %s", duration_text(eta).c_str());
  return text + buf;
}

void Progress::update(int64_t done, const StepMetrics& metrics, double lr) {
  last_done_ = done;
  if (terminal_) {
    const auto now = Clock::now();
    if (done != total_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
    last_draw_ = now;
    const int width = 24;
    const int filled = static_cast<int>(width * done / std::max<int64_t>(1, total_));
    std::string bar(filled, '#');
    bar += std::string(width - filled, '.');
    std::fprintf(stderr, "\r[%s] %lld/%lld%s\033[K", bar.c_str(), static_cast<long long>(done),
                 static_cast<long long>(total_), describe(done, metrics).c_str());
    std::fflush(stderr);
  } else if (done % log_every_ == 0 || done == total_) {
    if (lr >= 0)
      spdlog::info("{} {}/{}{} lr {:.3g}", what_, done, total_, describe(done, metrics), lr);
    else
      spdlog::info("{} {}/{}{}", what_, done, total_, describe(done, metrics));
  }
}

void Progress::finish() {
  if (terminal_) std::fprintf(stderr, "\n");
}

}  // namespace gencli
