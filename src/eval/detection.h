#pragma once
// Detection as a classifier two-sample test: a fresh small CNN learns to tell real images from
// generated ones on half of each set and is scored on the other half. 50 % held-out accuracy
// means it cannot tell them apart; 100 % means every sample gives itself away.
#include "core/torch_api.h"

namespace gencli::eval {

struct Detection {
  double accuracy = 0;     // on the held-out halves
  double ci_low = 0;       // 95 % Wilson score interval of the accuracy
  double ci_high = 0;
  int64_t train_images = 0;  // real + generated
  int64_t test_images = 0;
  int64_t steps = 0;
};

// real, generated: images (N, C, H, W) in [0, 1] of the same shape; the larger set is cut to
// the size of the smaller so that chance is 50 %. Trains on `device`; deterministic for a given
// seed on CPU, and leaves the global random generators as they were.
Detection detection_test(const torch::Tensor& real, const torch::Tensor& generated, uint64_t seed,
                         const torch::Device& device = torch::kCPU);

// The 95 % Wilson score interval of a proportion p observed on n trials.
std::pair<double, double> wilson_interval(double p, int64_t n);

}  // namespace gencli::eval
