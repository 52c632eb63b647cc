#pragma once
// The two PixelCNN networks. Both map an image (B, C, H, W) scaled to [-1, 1] (and an optional
// one-hot class) to output logits (B, C * K, H, W), where the logits at pixel (i, j) depend only
// on the pixels before (i, j) in raster order. K is 1 for Bernoulli pixels.
#include "core/torch_api.h"
#include "models/pixelcnn/masked_conv.h"
#include "models/pixelcnn/pixelcnn_config.h"

namespace gencli::pixelcnn {

class GatedRasterCache;

class PixelNetworkImpl : public torch::nn::Module {
 public:
  // one_hot: (B, num_classes) float, or undefined for unconditional networks.
  virtual torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& one_hot) = 0;
};

// ReLU -> 1x1 -> ReLU -> 1x1: from features to C * K logits per pixel.
class OutputHeadImpl : public torch::nn::Module {
 public:
  OutputHeadImpl(int64_t channels, int64_t hidden, int64_t outputs);
  torch::Tensor forward(const torch::Tensor& features);

 private:
  friend class GatedRasterCache;  // reads the weights to run the head one pixel at a time
  torch::nn::Conv2d hidden_{nullptr}, out_{nullptr};
};
TORCH_MODULE(OutputHead);

// PixelCNN with residual blocks (van den Oord et al. 2016a, figure 5): a k x k mask-A
// convolution, then blocks of 1x1 (h -> h/2), k x k mask B, 1x1 (h/2 -> h) with ReLUs and a skip.
// Its receptive field has a blind spot to the upper right.
class ResidualPixelCnnImpl : public PixelNetworkImpl {
 public:
  ResidualPixelCnnImpl(const PixelCnnConfig& config, int64_t outputs, int64_t num_classes);
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& one_hot) override;

 private:
  MaskedConv2d first_{nullptr};
  torch::nn::ModuleList reduce_, masked_, expand_, class_bias_;
  OutputHead head_{nullptr};
};

// Gated PixelCNN (van den Oord et al. 2016b, "Conditional Image Generation with PixelCNN
// Decoders"): a vertical stack sees every row above, a horizontal stack the current row to the
// left, and the vertical stack feeds the horizontal one shifted down a row, so the receptive
// field has no blind spot. Each layer's units are tanh(f) * sigmoid(g), plus a class bias.
class GatedPixelCnnImpl : public PixelNetworkImpl {
 public:
  GatedPixelCnnImpl(const PixelCnnConfig& config, int64_t outputs, int64_t num_classes);
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& one_hot) override;

 private:
  friend class GatedRasterCache;  // reads the weights to run the stacks row by row and pixel by pixel
  torch::nn::ModuleList vertical_, horizontal_, vertical_to_horizontal_, horizontal_out_, class_bias_;
  OutputHead head_{nullptr};
};

// The configured network, with outputs = image_channels * (levels, or 1 for Bernoulli).
std::shared_ptr<PixelNetworkImpl> make_pixel_network(const PixelCnnConfig& config, int64_t num_classes);

}  // namespace gencli::pixelcnn
