#pragma once
// The Fréchet distance between two Gaussians fitted to feature sets (the "FID" recipe, here on
// any feature network): |mu1 - mu2|^2 + tr(S1 + S2 - 2 (S1 S2)^(1/2)).
#include "core/torch_api.h"

namespace gencli::eval {

struct GaussianStats {
  torch::Tensor mean;        // (D) float64
  torch::Tensor covariance;  // (D, D) float64, unbiased (n - 1)
};

// Mean and covariance of features (N, D), N >= 2, in double precision.
GaussianStats gaussian_stats(const torch::Tensor& features);

// tr((S1 S2)^(1/2)) is computed as the sum of square roots of the eigenvalues of the symmetric
// S1^(1/2) S2 S1^(1/2), which has the same spectrum as S1 S2 and stays stable when S1 or S2 is
// singular (fewer samples than dimensions, dead ReLU units).
double frechet_distance(const GaussianStats& a, const GaussianStats& b);

}  // namespace gencli::eval
