#pragma once
// Cross-entropy of logits (B, K, ...) against class indices (B, ...), per position (no
// reduction), as one autograd function. LibTorch 1.13's log_softmax over a dimension that is
// not the last runs scalar strided loops; this one runs along the positions, keeps only the
// log-sum-exp of each position (B, ...) beside the logits, and makes the logits' gradient in
// one pass (softmax minus the one-hot, times the upstream gradient) instead of a zero-filled
// one-hot scatter followed by log_softmax's backward. On float32 CPU tensors; elsewhere it is
// LibTorch's cross_entropy. Both give the same values to float rounding. Logits stored
// position-major (a channels-last convolution's output) are read in place, a row per position.
#include "core/torch_api.h"

namespace gencli {

torch::Tensor channel_cross_entropy(const torch::Tensor& logits, const torch::Tensor& target);

// LibTorch's cross_entropy with no reduction (other devices and dtypes, and tests).
torch::Tensor channel_cross_entropy_reference(const torch::Tensor& logits, const torch::Tensor& target);

}  // namespace gencli
