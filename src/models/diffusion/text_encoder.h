#pragma once
// The prompt side of text-to-image diffusion (Rombach et al. 2022, section 3.3): a small
// Transformer encoder, trained with the denoiser, over the prompt's tokens
// (models/diffusion/prompt_tokenizer.h), and cross-attention through which U-Net features read
// the encoded prompt.
#include "core/torch_api.h"

#include <string>
#include <vector>

#include "models/diffusion/diffusion_config.h"
#include "models/diffusion/prompt_tokenizer.h"

namespace gencli::diffusion {

// An encoded prompt: per-token states (B, L, width) and the padding they come with.
struct TextContext {
  torch::Tensor states;
  torch::Tensor padding;
};

class TextEncoderImpl : public torch::nn::Module {
 public:
  explicit TextEncoderImpl(const DiffusionConfig& config);
  TextContext forward(const PromptTokens& tokens);

 private:
  torch::nn::Embedding token_embedding{nullptr}, position_embedding{nullptr};
  std::vector<torch::nn::TransformerEncoderLayer> layers_;
  torch::nn::LayerNorm final_norm{nullptr};
};
TORCH_MODULE(TextEncoder);

// Multi-head attention from the pixels of a feature map (queries) to the prompt's tokens (keys
// and values), padding masked out, added back to the map.
class CrossAttentionImpl : public torch::nn::Module {
 public:
  CrossAttentionImpl(int64_t channels, int64_t context_width, int64_t heads, int64_t groups);
  torch::Tensor forward(const torch::Tensor& x, const TextContext& context);

 private:
  int64_t heads_;
  torch::nn::GroupNorm norm{nullptr};
  torch::nn::Conv2d query{nullptr}, projection{nullptr};
  torch::nn::Linear key_value{nullptr};
};
TORCH_MODULE(CrossAttention);

}  // namespace gencli::diffusion
