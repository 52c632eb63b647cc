#pragma once
// Reading and writing a model's weights in checkpoints, including models that keep only their
// adapters (GPT with LoRA): those checkpoints hold the adapter weights, and the frozen base
// comes from init.from, whose SHA-256 the config records and every load checks.
#include "core/config.h"
#include "core/torch_api.h"
#include "models/model.h"

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

}  // namespace gencli
