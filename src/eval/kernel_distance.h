#pragma once
// Kernel Inception Distance recipe (Binkowski et al. 2018) on any features: the unbiased
// estimate of MMD^2 with the cubic polynomial kernel k(x, y) = (x.y / D + 1)^3, averaged over
// random subsets, with its standard deviation across them.
#include "core/torch_api.h"

namespace gencli::eval {

struct KernelDistance {
  double mean = 0;
  double std = 0;
  int64_t subsets = 0;
  int64_t subset_size = 0;
};

// Subsets of min(max_subset_size, |a|, |b|) vectors of each set, drawn without replacement.
KernelDistance kernel_distance(const torch::Tensor& a, const torch::Tensor& b, int64_t subsets,
                               int64_t max_subset_size, uint64_t seed);

// The unbiased MMD^2 estimate between two sets of equal size m >= 2 (one subset).
double unbiased_mmd2(const torch::Tensor& x, const torch::Tensor& y);

}  // namespace gencli::eval
