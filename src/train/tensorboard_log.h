#pragma once
// A training run's TensorBoard log, runs/NAME/tensorboard/: the metrics.jsonl figures as
// scalars, and the samples the loop draws (grids as images, text, audio clips). Only the
// writing process of a run keeps one; each session of a run (a resume) adds a new event file
// to the folder, which TensorBoard reads as one run.
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "core/step_metrics.h"
#include "io/tensorboard_events.h"

namespace gencli {

class TensorboardLog {
 public:
  // first_step: the step this session starts from (0, or the resumed checkpoint's).
  TensorboardLog(const std::string& run_dir, int64_t batch_size, int64_t first_step);

  // The step's metrics under train/ (val_* under val/), the learning rate, samples per second
  // since the previous call, and the run's cost so far (energy, CO2e) under cost/.
  void metrics(int64_t step, double seconds, double lr, const StepMetrics& m, const nlohmann::json& cost);
  // A sample file the loop wrote: a PNG (an image) or a WAV file (audio).
  void image_file(int64_t step, const std::string& png_path);
  void audio_file(int64_t step, const std::string& wav_path);
  void text(int64_t step, const std::string& text);

  const std::string& path() const { return events_.path(); }

 private:
  EventFileWriter events_;
  const int64_t batch_size_;
  int64_t previous_step_ = -1;
  double previous_seconds_ = 0;
};

}  // namespace gencli
