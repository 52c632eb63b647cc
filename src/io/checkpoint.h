#pragma once
// gencli's checkpoint format: one LibTorch archive (zip) holding a versioned header, the
// resolved config, the model's weights, EMA weights, optimizer states, RNG state and
// data order. Written atomically; sampling and resume rebuild everything from it alone.
// Every key is named here, once; train/checkpoint.h writes and reads the payload.
#include "core/torch_api.h"
#include <nlohmann/json.hpp>

#include <string>

namespace gencli {

// Version 2 files are sealed (io/checkpoint_seal.h: the file's SHA-256 in its zip comment) and
// every load checks the seal; version 1 files, unsealed, still load.
constexpr int64_t kCheckpointFormatVersion = 2;

// The archive's keys. Version 1 has had all of them since its start except energy,
// best_val_loss, best_step and data_fingerprint (added later; absent in older files, which still load).
namespace checkpoint_key {
// The header (write_checkpoint_header / open_checkpoint).
constexpr const char* kFormat = "format";                 // "gencli-checkpoint"
constexpr const char* kFormatVersion = "format_version";  // int
constexpr const char* kGencliVersion = "gencli_version";  // string
constexpr const char* kModelType = "model_type";          // string, the config's model.type
constexpr const char* kStep = "step";                     // int, steps completed
constexpr const char* kConfig = "config";                 // string, the resolved config as JSON
constexpr const char* kDataFingerprint = "data_fingerprint";  // string, "sha256:..." of the training data
// The payload.
constexpr const char* kModel = "model";                   // section: the weights (adapters only for LoRA runs)
constexpr const char* kEma = "ema";                       // section: EMA weights of the model's ema_target()
constexpr const char* kOptimizerPrefix = "optim_";        // sections optim_<part>: one optimizer state per part
constexpr const char* kRngCpu = "rng_cpu";                // tensor: the global CPU generator's state
constexpr const char* kRngCuda = "rng_cuda";              // tensor: the CUDA generator's state (runs on a GPU)
constexpr const char* kLossScaler = "loss_scaler";        // section: the fp16 loss scaler's scale and tracker
constexpr const char* kDataOrder = "data_order";          // section: the batch source's order state
constexpr const char* kBestValLoss = "best_val_loss";     // double tensor: the lowest validation loss so far
constexpr const char* kBestStep = "best_step";            // int: the step best.pt holds (0: none yet)
constexpr const char* kEnergy = "energy";                 // string: the run's cost report as JSON
}  // namespace checkpoint_key

struct CheckpointHeader {
  int64_t format_version = kCheckpointFormatVersion;
  std::string gencli_version;
  std::string model_type;
  int64_t step = 0;             // steps completed when saved
  nlohmann::json config;        // the run's resolved config
  std::string data_fingerprint; // of the training data (data/data_fingerprint.h); empty in older files
};

// Writes the header into `archive` (the caller adds the payload sections).
void write_checkpoint_header(torch::serialize::OutputArchive& archive, const CheckpointHeader& header);

// Seals `archive` and saves it to `path` atomically (temporary file, then rename). A failed
// write (full disk, file size limit) is a UserError naming path; the old file stays.
void save_archive_atomically(torch::serialize::OutputArchive& archive, const std::string& path);

// Opens a checkpoint, checks its seal and that it is one of ours, of a version we read.
// Throws UserError naming the path when it is missing, not a regular file, corrupt or foreign.
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

// Points last.pt at `step_path` atomically, then deletes all but the newest `keep` step files
// (at least two, so that the one before the newest is there for roll_back_checkpoint).
void publish_checkpoint(const std::string& run_dir, const std::string& step_path, int64_t keep);

// After a non-finite loss from the weights of the newest checkpoint (at `bad_step`): points
// last.pt back at the newest step file before it and deletes the bad one. Returns that
// earlier step, or -1 when there is none (then last.pt is removed: no good checkpoint exists).
int64_t roll_back_checkpoint(const std::string& run_dir, int64_t bad_step);

// <run>/checkpoints/best.pt: the checkpoint with the lowest validation loss (train.eval_every),
// pointed at `step_path` atomically; pruning step files leaves it intact.
std::string best_checkpoint_path(const std::string& run_dir);
void publish_best_checkpoint(const std::string& run_dir, const std::string& step_path);

// The step file for `step` when it still exists, else empty.
std::string existing_step_checkpoint(const std::string& run_dir, int64_t step);

}  // namespace gencli
