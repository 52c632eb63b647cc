#pragma once
// A model as one safetensors file, for Python and other tools: the weights under their
// state_dict names, and in the metadata what gencli needs to rebuild the model from the file
// alone (the resolved config, with provenance). io/safetensors.h holds the format itself.
#include <string>

#include "train/checkpoint.h"

namespace gencli {

// The metadata keys ("format": "pt" too, which Hugging Face's loaders expect).
namespace safetensors_key {
constexpr const char* kConfig = "gencli.config";                   // the resolved config, JSON
constexpr const char* kVersion = "gencli.version";                 // gencli's version
constexpr const char* kModelType = "gencli.model_type";            // the config's model.type
constexpr const char* kStep = "gencli.step";                       // steps the weights were trained for
constexpr const char* kCheckpointSha256 = "gencli.checkpoint_sha256";  // of the checkpoint exported
constexpr const char* kDataFingerprint = "gencli.data_fingerprint";    // of the training data
constexpr const char* kWeights = "gencli.weights";                 // "ema" or "raw": which weights
}  // namespace safetensors_key

struct SafetensorsExport {
  torch::ScalarType dtype = torch::kFloat32;  // floating-point weights are written in this dtype
  bool use_ema = true;                        // the EMA's weights, when the run keeps an EMA
};

// Writes `loaded` (a model without adapters: merge them first) to `path`.
void export_safetensors(const LoadedModel& loaded, const std::string& path, const SafetensorsExport& options);

// A model rebuilt from a safetensors file: its config comes from the metadata, or else from a
// gencli config beside it (M.json for M.safetensors). UserError / DataError naming the file.
LoadedModel load_safetensors_model(const std::string& path, const torch::Device& device);

}  // namespace gencli
