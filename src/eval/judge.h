#pragma once
// The protocol of `gencli eval --features`: what a model's samples (or real images) are judged
// against, and beside what. The reference is always the test split of the data the model was
// trained on, as the model sees it (Model::data_as_modelled); beside every score stands the floor,
// the same metrics for real training images against that split (what a perfect model would
// score with as many samples), and `--real --noise` gives the ceiling, uniform noise.
#include <nlohmann/json.hpp>

#include <string>

#include "eval/feature_network.h"
#include "models/model.h"
#include "train/checkpoint.h"

namespace gencli::eval {

struct JudgeSettings {
  int64_t num = 1000;         // samples to draw, real images to pick
  uint64_t seed = 1234;
  int64_t klass = -1;         // conditional models: draw only this class (-1: cycle through all)
  std::string data_root;      // the model's test data elsewhere (empty: the run's data.root)
  SampleRequest sampling;     // how samples are drawn (sampler, steps, temperature, use_ema)
};

// The model's samples against the test split of its own data, with the floor beside them.
nlohmann::json judge_samples(FeatureNetwork& network, LoadedModel& loaded, const std::string& checkpoint_name,
                             const JudgeSettings& settings);

// The training split of the data set at `real_root` (the floor), or uniform noise (`noise`: the
// ceiling), against its test split; data of the kind the feature network was trained on.
nlohmann::json judge_real(FeatureNetwork& network, const std::string& real_root, bool noise,
                          const JudgeSettings& settings);

}  // namespace gencli::eval
