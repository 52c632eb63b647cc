#pragma once
// Channels-last (NHWC) feature maps for the convolutional families that run on the CPU.
// oneDNN convolves NHWC maps as they are, where it reorders NCHW ones to its blocked layout
// and back around every convolution, forward and backward: on 2 cores those reorders took 28
// ms of a 158 ms ddpm_mnist step and 145 ms of a 520 ms pixelcnn_mnist step.
#include "core/torch_api.h"

namespace gencli {

// Whether a network should run x's feature maps channels-last: on the CPU, yes.
bool prefers_channels_last(const torch::Tensor& x);

// x as a dense channels-last map with channels-last strides: a copy unless it is one. A
// one-channel map has NCHW's memory but not its strides, and the strides are what LibTorch's
// convolutions read the layout from.
torch::Tensor to_channels_last(const torch::Tensor& x);

// Whether x is a 4-D map whose memory is dense NHWC rows (what gencli's channels-last kernels
// read): every channels-last tensor, and NCHW ones where the two layouts coincide (one
// channel, or one pixel).
bool is_channels_last_map(const torch::Tensor& x);

}  // namespace gencli
