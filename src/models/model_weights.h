#pragma once
// Reading and writing a model's weights in checkpoints, including models that keep only their
// adapters (GPT with LoRA): those checkpoints hold the adapter weights, and the frozen base
// comes from init.from, whose SHA-256 the config records and every load checks.
#include "core/config.h"
#include "core/torch_api.h"
#include "io/safetensors.h"
#include "models/model.h"

#include <utility>
#include <vector>

namespace gencli {

// On a fresh run with init.from: checks the file exists and records (or checks) its SHA-256 in
// config.init.sha256. ConfigError naming init.from / init.sha256 otherwise.
void record_init_checkpoint(Config& config);

// Copies init.from's weights into every parameter and buffer of `model` that is not an adapter
// (names and shapes must match: a UserError names the first that does not), after checking
// the file's SHA-256 against config.init.sha256.
void load_init_weights(Model& model, const Config& config);

// The "model" section of a checkpoint: every weight, or only the adapters for models that
// Capabilities::adapters_only.
void save_model_weights(Model& model, torch::serialize::OutputArchive& archive);
void load_model_weights(Model& model, torch::serialize::InputArchive& archive);

// The model's weights as a PyTorch state_dict of the same modules would name them
// ("generator.body.0.weight"): every parameter, then every buffer. use_ema: the EMA's weights
// stand in for ema_target()'s, when the run keeps an EMA.
std::vector<std::pair<std::string, torch::Tensor>> model_state_tensors(Model& model, bool use_ema);

// Copies a safetensors file's tensors into `model` (all weights, or all but the adapters when
// !with_adapters). Every weight must be there with its shape; floating-point tensors of another
// float dtype are converted, others must match exactly; a tensor the model has no place for is
// an error too. DataError naming `path` and the tensor.
void load_state_tensors(Model& model, const SafetensorsFile& file, const std::string& path, bool with_adapters = true);

}  // namespace gencli
