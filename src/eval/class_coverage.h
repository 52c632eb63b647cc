#pragma once
// Class coverage: which classes the feature network sees among the samples. A collapsed
// generator shows up as a skewed histogram, a low entropy and classes that (almost) never occur.
#include <vector>

#include "core/torch_api.h"

namespace gencli::eval {

struct ClassCoverage {
  std::vector<double> shares;            // share of samples per class
  double entropy_bits = 0;               // of the histogram; log2(K) when uniform
  double max_entropy_bits = 0;           // log2(K)
  std::vector<int64_t> rare_classes;     // classes below 1 % of the samples
};

// predicted: (N) class indices in [0, num_classes).
ClassCoverage class_coverage(const torch::Tensor& predicted, int64_t num_classes);

}  // namespace gencli::eval
