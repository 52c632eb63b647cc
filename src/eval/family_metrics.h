#pragma once
// `gencli eval` without --features: the family's own scores (likelihoods, reconstruction,
// accuracy, ...) on the run's held-out split, and for 2-D toy data the modes its samples reach.
#include <nlohmann/json.hpp>

#include <string>

#include "train/checkpoint.h"

namespace gencli::eval {

struct FamilyMetricsSettings {
  int64_t num = 1000;         // samples for sample-based scores
  int64_t seed = 1234;
  int64_t iw_samples = 100;   // importance samples per test image for likelihood bounds (VAE)
  int64_t test_limit = 0;     // score only the first N test images (text: tokens); 0: all
  std::string data_root;      // the test data elsewhere (text: the file); empty: the run's
};

nlohmann::json family_metrics(LoadedModel& loaded, const FamilyMetricsSettings& settings, const torch::Device& device);

}  // namespace gencli::eval
