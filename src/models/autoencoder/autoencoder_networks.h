#pragma once
// The autoencoder's encoder and decoder: residual blocks (GroupNorm, SiLU, 3x3 convolutions) at
// each level, stride-2 convolutions down and nearest-neighbour upsampling with a convolution up.
#include "core/torch_api.h"

#include <vector>

#include "models/autoencoder/autoencoder_config.h"

namespace gencli::autoencoder {

class ConvResBlockImpl : public torch::nn::Module {
 public:
  ConvResBlockImpl(int64_t in, int64_t out, int64_t groups);
  torch::Tensor forward(const torch::Tensor& x);

 private:
  torch::nn::GroupNorm norm1{nullptr}, norm2{nullptr};
  torch::nn::Conv2d conv1{nullptr}, conv2{nullptr}, skip{nullptr};
};
TORCH_MODULE(ConvResBlock);

// x (B, C, H, W) -> the latent's mean and log-variance, each (B, latent_channels, H/f, W/f).
class LatentEncoderImpl : public torch::nn::Module {
 public:
  explicit LatentEncoderImpl(const AutoencoderConfig& config);
  std::pair<torch::Tensor, torch::Tensor> forward(const torch::Tensor& x);

 private:
  torch::nn::Sequential body{nullptr};
};
TORCH_MODULE(LatentEncoder);

// z (B, latent_channels, H/f, W/f) -> the image (B, C, H, W), unbounded (clamped for display).
class LatentDecoderImpl : public torch::nn::Module {
 public:
  explicit LatentDecoderImpl(const AutoencoderConfig& config);
  torch::Tensor forward(const torch::Tensor& z);

 private:
  torch::nn::Sequential body{nullptr};
};
TORCH_MODULE(LatentDecoder);

}  // namespace gencli::autoencoder
