#pragma once
// The sample-quality suite of `gencli eval --features`: one set of images (a model's samples,
// or real images for the floor) scored against a reference split in the feature network's
// space, plus a detection test on the pixels.
#include <nlohmann/json.hpp>

#include "eval/feature_network.h"

namespace gencli::eval {

struct QualitySets {
  torch::Tensor candidates;        // (N, C, H, W) in [0, 1]: what is judged
  torch::Tensor intended_labels;   // (N) the classes a conditional model was asked for, or undefined
  torch::Tensor reference;         // (M, C, H, W) in [0, 1]: real held-out images
  std::string candidates_name;     // for the report: "10000 samples of runs/gan/.../last.pt"
  std::string reference_name;      // "test split of data/mnist (500 images)"
};

struct QualitySettings {
  int64_t kid_subsets = 100;
  int64_t kid_subset_size = 1000;
  int64_t neighbours = 3;          // k of the precision/recall manifolds
  int64_t score_splits = 10;
  uint64_t seed = 1234;
};

// Every metric as JSON (see the keys' descriptions in the README's "Judging samples").
nlohmann::json sample_quality(FeatureNetwork& network, const QualitySets& sets, const QualitySettings& settings);

// The report as aligned text lines, for the terminal.
std::string format_sample_quality(const nlohmann::json& quality);

}  // namespace gencli::eval
