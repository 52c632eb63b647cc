#pragma once
// The Inception Score recipe with the feature network's classifier: exp(E_x KL(p(y|x) || p(y))).
// High when each sample is confidently one class and the classes are varied; at most the number
// of classes.
#include "core/torch_api.h"

namespace gencli::eval {

struct ClassifierScore {
  double mean = 0;
  double std = 0;  // across the splits
  int64_t splits = 0;
};

// probabilities: (N, K) class probabilities; the score is computed on `splits` consecutive parts
// of N / splits samples each.
ClassifierScore classifier_score(const torch::Tensor& probabilities, int64_t splits = 10);

}  // namespace gencli::eval
