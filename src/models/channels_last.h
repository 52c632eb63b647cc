#pragma once
// Channels-last (NHWC) feature maps for the convolutional families that run on the CPU.
// oneDNN convolves NHWC maps as they are, where it reorders NCHW ones to its blocked layout
// and back around every convolution, forward and backward: on 2 cores those reorders took 28
// ms of a 158 ms ddpm_mnist step and 145 ms of a 520 ms pixelcnn_mnist step.
#include "core/torch_api.h"

namespace gencli {

// Whether a network should run x's feature maps channels-last: on the CPU, yes.
bool prefers_channels_last(const torch::Tensor& x);

// x with channels-last strides: a copy unless it has them. A one-channel map has NCHW's memory
// but not its strides, and the strides are what LibTorch reads the layout from.
torch::Tensor to_channels_last(const torch::Tensor& x);

}  // namespace gencli
