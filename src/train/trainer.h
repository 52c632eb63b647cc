#pragma once
// The one training loop every model family shares.
#include <string>
#include <vector>

#include "train/step_timeline.h"

namespace gencli {

struct TrainOptions {
  std::string config_path;              // may be empty with resume (the checkpoint's config is used)
  std::vector<std::string> overrides;   // --set key.path=value, applied in order
  std::string out_dir;                  // run folder; default runs/<config name>
  bool resume = false;                  // continue from <out>/checkpoints/last.pt
  bool explain = false;                 // teaching output (linreg)
  bool allow_data_change = false;       // --resume on data whose fingerprint differs: warn, not refuse
  StepTimeline* timeline = nullptr;     // `gencli bench train`: filled in with each step's end time
};

// Trains, writing checkpoints, metrics, samples and logs into the run folder.
// Throws UserError for bad input, Interrupted after saving on Ctrl-C/SIGTERM,
// TrainingDiverged on a NaN/Inf loss (the last good checkpoint stays).
void run_training(const TrainOptions& options);

}  // namespace gencli
