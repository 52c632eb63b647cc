#pragma once
// Rebuilds a model from a checkpoint alone (its config names the family and architecture).
#include <memory>
#include <string>

#include "core/config.h"
#include "io/checkpoint.h"
#include "models/model.h"

namespace gencli {

struct LoadedModel {
  Config config;
  CheckpointHeader header;
  std::shared_ptr<Model> model;
  std::string sha256;   // of the checkpoint file, for provenance
  nlohmann::json energy;  // the run's energy report when it was saved (null for older checkpoints)
};

LoadedModel load_model(const std::string& checkpoint_path, const torch::Device& device);

}  // namespace gencli
