#pragma once
// A small U-Net for denoising (after Ho et al. 2020, appendix B): residual blocks with
// GroupNorm and a timestep embedding, stride-2 downsampling, nearest-neighbour upsampling,
// skip connections, optional self-attention at the lowest resolution, and for text-conditional
// models cross-attention to the prompt in the middle and at the levels the config names.
#include "core/torch_api.h"

#include <vector>

#include "models/diffusion/diffusion_config.h"
#include "models/diffusion/text_encoder.h"

namespace gencli::diffusion {

// GroupNorm -> SiLU -> conv, twice, with the embedding added in between; 1x1 skip when widths differ.
class ResBlockImpl : public torch::nn::Module {
 public:
  ResBlockImpl(int64_t in, int64_t out, int64_t embedding, int64_t groups, double dropout);
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& embedding);

 private:
  torch::nn::GroupNorm norm1{nullptr}, norm2{nullptr};
  torch::nn::Conv2d conv1{nullptr}, conv2{nullptr}, skip{nullptr};
  torch::nn::Linear embedding_projection{nullptr};
  torch::nn::Dropout dropout{nullptr};
};
TORCH_MODULE(ResBlock);

// Single-head self-attention over the pixels of a feature map, with a residual connection.
class SelfAttentionImpl : public torch::nn::Module {
 public:
  SelfAttentionImpl(int64_t channels, int64_t groups);
  torch::Tensor forward(const torch::Tensor& x);

 private:
  torch::nn::GroupNorm norm{nullptr};
  torch::nn::Conv2d qkv{nullptr}, projection{nullptr};
};
TORCH_MODULE(SelfAttention);

class UNetImpl : public torch::nn::Module {
 public:
  // embedding: the width of the timestep (+ class) embedding the blocks receive.
  UNetImpl(const DiffusionConfig& config, int64_t embedding);
  // context: the encoded prompt (text-conditional models only, else null).
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& embedding, const TextContext* context = nullptr);

 private:
  struct Level {
    std::vector<ResBlock> blocks;
    std::vector<CrossAttention> cross;    // one after each block at levels that attend to the prompt
    torch::nn::Conv2d resample{nullptr};  // down: stride-2 conv; up: conv after upsampling (none at the ends)
  };
  std::vector<Level> down_, up_;
  torch::nn::Conv2d input{nullptr}, output{nullptr};
  torch::nn::GroupNorm output_norm{nullptr};
  ResBlock middle1{nullptr}, middle2{nullptr};
  SelfAttention middle_attention{nullptr};
  CrossAttention middle_cross{nullptr};
};
TORCH_MODULE(UNet);

// For 2-D toy data: x (B, 2, 1, 1) flattened, joined with the embedding, through an MLP.
class ToyDenoiserImpl : public torch::nn::Module {
 public:
  ToyDenoiserImpl(const DiffusionConfig& config, int64_t embedding);
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& embedding);

 private:
  torch::nn::Sequential body{nullptr};
};
TORCH_MODULE(ToyDenoiser);

}  // namespace gencli::diffusion
