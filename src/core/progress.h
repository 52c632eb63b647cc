#pragma once
// Training progress: a redrawn bar (step, metrics, it/s, ETA) when stderr is a terminal,
// plain log lines every `log_every` steps otherwise (CI logs stay readable).
#include <chrono>
#include <string>

#include "core/step_metrics.h"

namespace gencli {

class Progress {
 public:
  // `what` names the steps in plain lines ("step", "denoising step"); `samples_per_step` > 0
  // also shows samples/s (training: the global batch, whatever the number of processes).
  Progress(int64_t first_step, int64_t total_steps, int64_t log_every, std::string what = "step",
           int64_t samples_per_step = 0);
  // `done` counts completed steps; lr < 0 leaves the learning rate out.
  void update(int64_t done, const StepMetrics& metrics, double lr = -1);
  void finish();
  double steps_per_second() const;  // over this process's steps

 private:
  using Clock = std::chrono::steady_clock;
  std::string describe(int64_t done, const StepMetrics& metrics) const;

  int64_t first_, total_, log_every_, last_done_, samples_per_step_;
  std::string what_;
  bool terminal_;
  Clock::time_point start_, last_draw_;
};

}  // namespace gencli
