#pragma once
// gencli's checkpoint format: one LibTorch archive (zip) holding a versioned header, the
// resolved config, the model's weights, EMA weights, optimizer states, RNG state and
// data order. Written atomically; sampling and resume rebuild everything from it alone.
// Every key is named here, once; train/checkpoint.h writes and reads the payload.
#include "core/torch_api.h"
#include <nlohmann/json.hpp>

#include <string>

namespace gencli {

constexpr int64_t kCheckpointFormatVersion = 1;

// The archive's keys. Version 1 has had all of them since its start except energy and
// best_val_loss (added later; absent in older files, which still load).
namespace checkpoint_key {
// The header (write_checkpoint_header / open_checkpoint).
constexpr const char* kFormat = "format";                 // "gencli-checkpoint"
constexpr const char* kFormatVersion = "format_version";  // int
constexpr const char* kGencliVersion = "gencli_version";  // string
constexpr const char* kModelType = "model_type";          // string, the config's model.type
constexpr const char* kStep = "step";                     // int, steps completed
constexpr const char* kConfig = "config";                 // string, the resolved config as JSON
// The payload.
constexpr const char* kModel = "model";                   // section: the weights (adapters only for LoRA runs)
constexpr const char* kEma = "ema";                       // section: EMA weights of the model's ema_target()
constexpr const char* kOptimizerPrefix = "optim_";        // sections optim_<part>: one optimizer state per part
constexpr const char* kRngCpu = "rng_cpu";                // tensor: the global CPU generator's state
constexpr const char* kDataOrder = "data_order";          // section: the batch source's order state
constexpr const char* kBestValLoss = "best_val_loss";     // double tensor: the lowest validation loss so far
constexpr const char* kEnergy = "energy";                 // string: the run's cost report as JSON
}  // namespace checkpoint_key

struct CheckpointHeader {
  int64_t format_version = kCheckpointFormatVersion;
  std::string gencli_version;
  std::string model_type;
  int64_t step = 0;             // steps completed when saved
  nlohmann::json config;        // the run's resolved config
};

// Writes the header into `archive` (the caller adds the payload sections).
void write_checkpoint_header(torch::serialize::OutputArchive& archive, const CheckpointHeader& header);

// Saves `archive` to `path` atomically (temporary file, then rename).
void save_archive_atomically(torch::serialize::OutputArchive& archive, const std::string& path);

// Opens a checkpoint and checks that it is one of ours, of a version we read.
// Throws UserError naming the path when it is missing, corrupt or foreign.
struct OpenedCheckpoint {
  CheckpointHeader header;
  torch::serialize::InputArchive archive;
};
OpenedCheckpoint open_checkpoint(const std::string& path, const torch::Device& device = torch::kCPU);

// A section of the archive: `archive` read into a fresh InputArchive, or false when absent.
bool read_section(torch::serialize::InputArchive& archive, const std::string& key,
                  torch::serialize::InputArchive& section);

// Run-folder layout: <run>/checkpoints/step-0001000.pt and last.pt (a link to the newest).
std::string checkpoint_dir(const std::string& run_dir);
std::string last_checkpoint_path(const std::string& run_dir);
std::string step_checkpoint_path(const std::string& run_dir, int64_t step);

// Points last.pt at `step_path` atomically, then deletes all but the newest `keep` step files.
void publish_checkpoint(const std::string& run_dir, const std::string& step_path, int64_t keep);

// <run>/checkpoints/best.pt: the checkpoint with the lowest validation loss (train.eval_every),
// pointed at `step_path` atomically; pruning step files leaves it intact.
std::string best_checkpoint_path(const std::string& run_dir);
void publish_best_checkpoint(const std::string& run_dir, const std::string& step_path);

}  // namespace gencli
