#pragma once
// A 2-d transposed convolution (DCGAN's generator, the convolutional VAE's decoder) whose
// float32 CPU path runs on oneDNN where LibTorch's own does not. LibTorch 1.13 has no oneDNN
// transposed convolution and falls back to im2col and col2im (slow_conv_transpose2d): on 2
// cores its forward and backward took 44 ms for the conv VAE's 64->32 layer at batch 128.
// A transposed convolution is the input gradient of the convolution with the same weight,
// stride and padding, and oneDNN computes that gradient directly; its backward is a plain
// convolution (input gradient) and a convolution weight gradient: 8 ms for the same layer.
// LibTorch 2.x runs transposed convolutions on oneDNN itself, and CUDA and other dtypes have
// their own kernels: there the layer is LibTorch's ConvTranspose2d unchanged. Parameters,
// their names and their initialisation are ConvTranspose2d's, so checkpoints do not change.
#include "core/torch_api.h"

namespace gencli {

// conv_transpose2d(x, weight, bias, stride, padding) (no output padding, dilation 1, one
// group), computed as the input gradient of a convolution. x: (B, I, H, W), weight: (I, O, kH,
// kW), bias: (O) or undefined.
torch::Tensor conv_transpose2d_as_input_gradient(const torch::Tensor& x, const torch::Tensor& weight,
                                                 const torch::Tensor& bias, torch::IntArrayRef stride,
                                                 torch::IntArrayRef padding);

// ConvTranspose2d's parameters ("weight", "bias"), drawn by its own initialisation, with the
// fast path above where it applies.
// conv_transpose2d(x, weight, bias, stride, padding) with no output padding, dilation 1 and
// one group: the input-gradient form above for float32 CPU tensors on a LibTorch without
// oneDNN transposed convolutions (outside CPU autocast), else LibTorch's conv_transpose2d.
torch::Tensor transposed_conv2d(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias,
                                torch::IntArrayRef stride, torch::IntArrayRef padding);

// conv(upsample_nearest_2x(x)) for a 3x3 convolution of stride 1 and padding 1 (the U-Net's
// upsampling; the padding is the caller's to get right), as one stride-2 transposed convolution
// with a 4x4 kernel folded from the 3x3 one: each output pixel of the upsampled image sees only
// 2x2 distinct input pixels, so this does 16 multiply-adds per input pixel and channel pair where
// the convolution of the 4x larger image does 36, and the upsampled image is never made. The same
// function to float rounding.
torch::Tensor upsample2x_then_conv3x3(const torch::Tensor& x, const torch::nn::Conv2d& conv);

class TransposedConv2dImpl : public torch::nn::Cloneable<TransposedConv2dImpl> {
 public:
  explicit TransposedConv2dImpl(torch::nn::ConvTranspose2dOptions options);
  void reset() override;
  torch::Tensor forward(const torch::Tensor& x);
  void pretty_print(std::ostream& stream) const override;

  torch::nn::ConvTranspose2dOptions options;
  torch::Tensor weight, bias;
};
TORCH_MODULE(TransposedConv2d);

}  // namespace gencli
