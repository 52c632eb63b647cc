#pragma once
// Improved precision and recall (Kynkäänniemi et al. 2019): each set's manifold is the union of
// balls around its points, each reaching that point's k-th nearest neighbour in the same set.
// Precision: the share of generated points inside the real manifold (are samples realistic?).
// Recall: the share of real points inside the generated manifold (is the data's variety covered?).
#include "core/torch_api.h"

namespace gencli::eval {

struct PrecisionRecall {
  double precision = 0;
  double recall = 0;
  int64_t k = 0;
};

PrecisionRecall precision_recall(const torch::Tensor& real, const torch::Tensor& generated, int64_t k = 3);

// The share of `points` that lie inside the manifold of `support` (the ball of each support
// point reaching its k-th nearest neighbour in `support`).
double share_inside_manifold(const torch::Tensor& support, const torch::Tensor& points, int64_t k);

}  // namespace gencli::eval
