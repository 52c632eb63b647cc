#pragma once
// The gated activation of PixelCNN and WaveNet, tanh(first half) * sigmoid(second half) of
// dimension 1, as one LibTorch autograd function. On float32 CPU tensors it runs one
// vectorised pass forward and one backward (LibTorch 1.13's tanh alone took about an eighth
// of a PixelCNN training step); elsewhere (CUDA, other dtypes) it is LibTorch's tanh and
// sigmoid. Both give the same values to float rounding. A channels-last (B, 2C, H, W) map is
// gated in its own layout (each pixel's row of 2C values), and gives a channels-last output.
#include "core/torch_api.h"

namespace gencli {

// x: (B, 2C, ...) -> (B, C, ...).
torch::Tensor gated_activation(const torch::Tensor& x);
// The same of x plus a per-sample, per-channel bias (B, 2C) (a class embedding, say), added
// inside the one pass instead of by a pass of its own (a (B, 2C, ...) read and write).
torch::Tensor gated_activation(const torch::Tensor& x, const torch::Tensor& bias);

// The same with LibTorch's own operators, for other devices and dtypes (and tests).
torch::Tensor gated_activation_reference(const torch::Tensor& x);
torch::Tensor gated_activation_reference(const torch::Tensor& x, const torch::Tensor& bias);

}  // namespace gencli
