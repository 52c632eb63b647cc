#pragma once
// A 2-d convolution of stride 1 with no padding (the caller pads, as PixelCNN's masked
// convolutions do), as one autograd function: LibTorch's (oneDNN's) forward and input
// gradient, and the weight gradient from gencli's kernel (models/conv_weight_gradient_kernel.h)
// where it takes the shape: float32 channels-last CPU maps on an AVX-512 CPU. oneDNN 2.6's
// NHWC weight gradients were the slowest part of a PixelCNN step: 178 of its 323 ms of
// convolution time on a Zen 5 EPYC, at 60-150 GFLOP/s against 200-290 for the same layers'
// forward passes. Elsewhere (and without a bias) it is LibTorch's conv2d unchanged. Both give
// the same values to float rounding: the sums run in another order, which depends on the
// number of threads, as LibTorch's own reductions do.
#include "core/torch_api.h"

namespace gencli {

// conv2d(x, weight, bias, stride 1, padding 0, dilation). bias may be undefined.
torch::Tensor valid_conv2d(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias,
                           torch::IntArrayRef dilation = {1, 1});

// conv.forward(x), through valid_conv2d when the layer has stride 1, no padding and one group.
torch::Tensor valid_conv2d(const torch::Tensor& x, torch::nn::Conv2dImpl& conv);

// Whether gencli's kernel computes this convolution's weight gradient (for tests and benches).
bool valid_conv2d_uses_gencli_weight_gradient(const torch::Tensor& x, const torch::Tensor& weight,
                                              const torch::Tensor& bias, torch::IntArrayRef dilation = {1, 1});

}  // namespace gencli
