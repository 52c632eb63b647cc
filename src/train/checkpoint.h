#pragma once
// The one owner of what a checkpoint holds: a run's training state, saved and restored
// exactly, and the model alone for inference (`sample`, `eval`, `export`). The archive's
// keys and its header are defined once, beside the format version, in io/checkpoint.h.
#include <limits>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "core/config.h"
#include "io/checkpoint.h"
#include "models/model.h"
#include "train/part_optimizers.h"

namespace gencli {

// Everything a run saves beside its header so that --resume continues bit for bit.
struct TrainingState {
  Model* model = nullptr;               // the weights, and model->ema when the run keeps one
  PartOptimizers* optimizers = nullptr;
  BatchSource* batches = nullptr;       // the data order; null when the family brings its own data
  double best_val_loss = std::numeric_limits<double>::infinity();  // train.eval_every's best so far
  int64_t best_step = 0;                // the step best.pt holds (0: none yet, or an older checkpoint)
  nlohmann::json energy;                // the run's cost report (EnergyMeter::report()); null if absent
  torch::Device device = torch::kCPU;   // the training device: a CUDA device's generator is saved too
  // The CPU generator the per-example draws come from (models/example_random.h): the global one
  // in a one-process run. Its state, and the fp16 loss scaler's (optimizers->loss_scaler()), are
  // saved and restored with the rest.
  torch::Generator example_generator = at::detail::getDefaultCPUGenerator();
};

// Writes the header and `state` to `path` atomically (temporary file, then rename). Weights that
// are not finite are never written: NonFiniteWeights names the tensor instead.
void save_training_checkpoint(const std::string& path, const CheckpointHeader& header, const TrainingState& state);

// Restores every part of `state` that is set from the checkpoint at `path` (tensors on `device`),
// and the global CPU generator; returns the header. UserError naming the path when it is not one,
// when it is corrupt, or when a weight in it is NaN or infinite (naming the tensor).
CheckpointHeader restore_training_checkpoint(const std::string& path, const torch::Device& device,
                                             TrainingState& state);

// A checkpoint of the model alone (its weights and EMA, no optimizer or data state): it samples
// and evaluates like any other, and can be init.from of a new run.
void save_model_checkpoint(const std::string& path, const CheckpointHeader& header, Model& model);

// A model rebuilt from a checkpoint alone (its config names the family and architecture).
// A model or EMA tensor is NaN or infinite at save time: the checkpoint is not written.
class NonFiniteWeights : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct LoadedModel {
  Config config;
  CheckpointHeader header;
  std::shared_ptr<Model> model;
  std::string sha256;     // of the checkpoint file, for provenance
  nlohmann::json energy;  // the run's energy report when it was saved (null for older checkpoints)
};

// A path ending in .safetensors is read as an export (train/safetensors_model.h); a folder
// with a config.json as a Hugging Face GPT-2 (train/hugging_face_model.h).
LoadedModel load_model(const std::string& checkpoint_path, const torch::Device& device);

}  // namespace gencli
