#pragma once
// The prompt side of text-to-image diffusion (Rombach et al. 2022, section 3.3): prompts as
// UTF-8 bytes (the GPT family's byte tokenizer) after a start token, a small Transformer
// encoder trained with the denoiser, and cross-attention through which U-Net features read
// the encoded prompt. The empty prompt is the start token alone: classifier-free guidance's
// unconditional input.
#include "core/torch_api.h"

#include <string>
#include <vector>

#include "models/diffusion/diffusion_config.h"

namespace gencli::diffusion {

// Token ids (B, L) and which are padding (B, L, true = padding); L is the longest prompt's
// length plus the start token.
struct PromptTokens {
  torch::Tensor ids;
  torch::Tensor padding;
  bool defined() const { return ids.defined(); }
  PromptTokens to(const torch::Device& device) const { return {ids.to(device), padding.to(device)}; }
};

// Throws UserError naming `what` (--prompt, a caption) when a prompt is longer than
// max_tokens - 1 bytes.
PromptTokens tokenize_prompts(const std::vector<std::string>& prompts, int64_t max_tokens, const std::string& what);
// Both sets of prompts in one batch: a's rows, then b's (the shorter padded).
PromptTokens concat(const PromptTokens& a, const PromptTokens& b);

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
