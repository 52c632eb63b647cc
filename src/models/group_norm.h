#pragma once
// GroupNorm, and GroupNorm followed by SiLU, for feature maps stored channels-last (NHWC), as
// one autograd function: two vectorised passes for the statistics (the mean, then the
// deviations from it) and one for the output, and two passes back. LibTorch 1.13's GroupNorm on channels-last input took about 3 ms for a
// (64, 16, 28, 28) map on 2 cores, ten times its NCHW time, and its backward returned NCHW
// gradients that the next convolution copied back. Other layouts, devices and dtypes take
// LibTorch's group_norm (and silu). Both give the same values to float rounding.
#include "core/torch_api.h"

namespace gencli {

// norm's groups, eps, weight and bias applied to x (B, C, H, W).
torch::Tensor group_norm(const torch::Tensor& x, const torch::nn::GroupNorm& norm);
// silu(group_norm(x, norm)) in one pass.
torch::Tensor group_norm_silu(const torch::Tensor& x, const torch::nn::GroupNorm& norm);

// LibTorch's operators, for the other cases and for tests.
torch::Tensor group_norm_reference(const torch::Tensor& x, const torch::nn::GroupNorm& norm, bool silu);

}  // namespace gencli
