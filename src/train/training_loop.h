#pragma once
// The steps of one session of a run, from the first (or resumed) step to train.steps: the
// loop itself, and what falls due on the way (validation, metrics, grids, checkpoints).
// train/trainer.cpp sets a run up and hands it here.
#include <chrono>
#include <fstream>
#include <limits>
#include <memory>
#include <string>

#include "core/config.h"
#include "core/precision.h"
#include "models/example_random.h"
#include "models/model.h"
#include "train/energy_meter.h"
#include "train/part_optimizers.h"
#include "train/run_data.h"
#include "train/step_timeline.h"

namespace gencli {

struct TrainingState;
class Collectives;
class TensorboardLog;

// The training batches, and the held-out split validation scores every train.eval_every steps.
struct RunInputs {
  std::unique_ptr<RunData> data;
  BatchSource* batches = nullptr;  // null when the family brings its own data
  Batch held_out;
  std::vector<std::string> preview_prompts;  // text-to-image: what the grids during training show
};

class TrainingLoop {
 public:
  static constexpr int64_t kTextSampleTokens = 200;  // a text model's sample during training

  // Forward passes run under autocast on `device` in train.precision.
  TrainingLoop(const Config& config, const std::string& run_dir, Model& model, PartOptimizers& optimizers,
               RunInputs& inputs, const torch::Device& device, bool explain);
  ~TrainingLoop();

  // Continues from last.pt: weights, EMA, optimizers, RNG, data order, best loss, cost totals.
  void resume();
  // Trains up to train.steps. Throws Interrupted after saving on Ctrl-C/SIGTERM and
  // TrainingDiverged on a NaN/Inf metric (the last good checkpoint stays).
  void run();

  // A data-parallel run: the processes, and the per-example draws shared among them. Every
  // process steps; only rank 0 writes the run folder. Without this call: one process.
  void set_data_parallel(Collectives* collectives, ExampleRandom random);

  // Each step's end time and the first step's FLOPs go to `timeline` (for `gencli bench train`).
  void set_timeline(StepTimeline* timeline) { timeline_ = timeline; }

  // Recorded in every checkpoint this loop writes (data/data_fingerprint.h).
  void set_data_fingerprint(const std::string& digest) { data_fingerprint_ = digest; }

  int64_t step() const { return step_; }
  bool saved_a_checkpoint() const { return last_saved_ >= 0; }
  int64_t steps_this_session() const { return step_ - first_step_; }
  double seconds() const;  // since run() started
  EnergyMeter& energy() { return *energy_; }

 private:
  TrainingState training_state();
  StepMetrics take_step(StepContext& ctx);
  void after_step(StepMetrics& m, double lr);
  bool validate(StepMetrics& m);
  std::string save_checkpoint(bool best = false);
  std::string diverged_at(int64_t step, const std::string& what, bool newest_failed);
  void repair_best_checkpoint();
  void save_samples();
  bool agree_on_step(StepMetrics& m);
  void share_rank0_buffers();
  void check_finite(const StepMetrics& m);
  bool writer() const;

  const Config& config_;
  const nlohmann::json config_json_;
  const std::string out_, last_;
  Model& model_;
  PartOptimizers& optimizers_;
  RunInputs& inputs_;
  const torch::Device device_;
  const Precision precision_;
  const bool explain_;

  int64_t step_ = 0, first_step_ = 0;
  int64_t last_saved_ = -1;                                    // the step of the newest checkpoint
  double best_val_ = std::numeric_limits<double>::infinity();  // the lowest validation loss so far
  int64_t best_step_ = 0;                                      // the step best.pt holds
  std::string data_fingerprint_;
  EnergyTotals earlier_energy_;                                // the sessions before a resume
  std::unique_ptr<EnergyMeter> energy_;
  double flops_per_step_ = 0;                                  // counted on this session's first step
  std::ofstream metrics_;
  std::unique_ptr<TensorboardLog> tensorboard_;  // null: train.tensorboard is false, or not the writer
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  Collectives* collectives_ = nullptr;
  ExampleRandom random_;
  StepTimeline* timeline_ = nullptr;
};

}  // namespace gencli
