#pragma once
// The sum of a WaveNet stack's skip connections, sum over layers l of skip_l(z_l) with 1x1
// convolutions skip_l, computed as one convolution over the layers' gated units stacked along
// the channels: one product over layers x R input channels instead of a thin R-channel product
// per layer, each followed by a pass that adds its (B, S, T) output to the running sum.
//
// The stacked units exist only inside forward and again inside backward: the layers' own units
// are what autograd keeps, as the per-layer form keeps them, so the stack costs no memory
// between the passes.
#include <vector>

#include "core/torch_api.h"

namespace gencli::wavenet {

// gates: the layers' units, each (B, R_l, T), or (B, R_l, 1, T) maps; weights: the matching
// 1x1 weights (S, R_l, 1), or (S, R_l, 1, 1); biases: their (S) biases. Returns (B, S, T), or
// (B, S, 1, T) in the units' layout.
torch::Tensor skip_sum(const std::vector<torch::Tensor>& gates, const std::vector<torch::Tensor>& weights,
                       const std::vector<torch::Tensor>& biases);

// The same as a sum of per-layer convolutions (for tests, and other devices and dtypes).
torch::Tensor skip_sum_reference(const std::vector<torch::Tensor>& gates, const std::vector<torch::Tensor>& weights,
                                 const std::vector<torch::Tensor>& biases);

}  // namespace gencli::wavenet
