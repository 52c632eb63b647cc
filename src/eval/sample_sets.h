#pragma once
// The image sets `gencli eval --features` judges: a model's samples, drawn in batches with a
// progress display, and real splits (the reference, the real-vs-real floor, pure noise).
#include <string>
#include <vector>

#include "core/config.h"
#include "models/model.h"

namespace gencli::eval {

struct ImageSet {
  torch::Tensor images;  // (N, C, H, W) in [0, 1] on the CPU
  torch::Tensor labels;  // (N) for a conditional model's samples (the classes asked for), else undefined
};

// Throws UserError unless `model` draws images, and draws class `klass` when it is >= 0.
void check_can_generate(const Model& model, const Config& config, int64_t klass);

// `num` samples from the prior, a few hundred at a time, with noise from one generator seeded by
// `seed`; `settings` carries the sampler choices (sampler, steps, temperature, use_ema). A
// conditional model draws class `klass` (>= 0) or cycles through every class; a text-to-image
// model draws prompts[i] for sample i (`prompts` holds num, or is empty for other models).
ImageSet generate_samples(Model& model, const Config& config, const SampleRequest& settings, int64_t num,
                          int64_t klass, uint64_t seed, const std::vector<std::string>& prompts = {});

// A split of an image data set, in [0, 1] on the CPU, whatever data.range says.
ImageSet load_real_split(DataConfig data, bool test_split);

// `num` images of uniform noise shaped like `like`.
ImageSet uniform_noise(const torch::Tensor& like, int64_t num, uint64_t seed);

// `num` distinct images of `set` chosen at random (all of them, shuffled, when it has fewer).
ImageSet random_subset(const ImageSet& set, int64_t num, uint64_t seed);

}  // namespace gencli::eval
