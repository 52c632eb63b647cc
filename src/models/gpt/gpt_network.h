#pragma once
// The GPT network in nanoGPT's shape (Radford et al. 2019): token and position embeddings,
// n_layer pre-LayerNorm blocks of causal self-attention and a 4x GELU MLP with residual
// connections, a final LayerNorm, and an output head that shares the token embedding's weights.
// model.arch "gpt2" is Hugging Face's GPT-2 exactly: the same, with the tanh-approximate GELU.
#include <vector>

#include "core/torch_api.h"
#include "models/gpt/gpt_config.h"
#include "models/gpt/lora_linear.h"

namespace gencli::gpt {

// Keys and values of the positions seen so far, per layer. Each layer's buffers are allocated
// once, (B, H, block_size, D), on the first forward pass; new positions are written in place
// after the first `length`, so a token costs its own keys and values, not a copy of the cache.
struct KvCache {
  std::vector<torch::Tensor> keys, values;
  int64_t length = 0;  // positions held
};

// LayerNorm whose bias is optional (LibTorch 1.13's nn::LayerNorm always has one).
class LayerNormImpl : public torch::nn::Module {
 public:
  LayerNormImpl(int64_t n, bool bias);
  torch::Tensor forward(const torch::Tensor& x);
  torch::Tensor weight, bias;

 private:
  int64_t n_;
};
TORCH_MODULE(LayerNorm);

class CausalSelfAttentionImpl : public torch::nn::Module {
 public:
  explicit CausalSelfAttentionImpl(const GptConfig& c);
  // x (B, T, C). With a cache, x holds the newest T positions: their keys and values are written
  // into the layer's buffers (*past_k, *past_v; allocated for `capacity` positions when undefined)
  // after the `cached` positions already there, and the T queries attend to all of them.
  torch::Tensor forward(const torch::Tensor& x, torch::Tensor* past_k = nullptr, torch::Tensor* past_v = nullptr,
                        int64_t cached = 0, int64_t capacity = 0);

  LoraLinear c_attn{nullptr}, c_proj{nullptr};

 private:
  int64_t n_head_, chunk_;
  std::string mode_;
  torch::nn::Dropout resid_dropout_{nullptr};
};
TORCH_MODULE(CausalSelfAttention);

class BlockImpl : public torch::nn::Module {
 public:
  explicit BlockImpl(const GptConfig& c);
  torch::Tensor forward(const torch::Tensor& x, torch::Tensor* past_k = nullptr, torch::Tensor* past_v = nullptr,
                        int64_t cached = 0, int64_t capacity = 0);

  LayerNorm ln_1{nullptr}, ln_2{nullptr};
  CausalSelfAttention attn{nullptr};
  LoraLinear c_fc{nullptr}, mlp_proj{nullptr};
  torch::nn::Dropout mlp_dropout{nullptr};

 private:
  std::string gelu_approximation_;  // "none", or "tanh" as GPT-2 has it
};
TORCH_MODULE(Block);

class GptNetworkImpl : public torch::nn::Module {
 public:
  GptNetworkImpl(const GptConfig& c, int64_t vocab_size);
  // tokens (B, T) -> logits (B, T, vocab). With a cache, tokens are the positions after the
  // cached ones (positions cache->length ..), and the cache grows by T.
  torch::Tensor forward(const torch::Tensor& tokens, KvCache* cache = nullptr);

  torch::nn::Embedding wte{nullptr}, wpe{nullptr};
  torch::nn::ModuleList blocks;
  LayerNorm ln_f{nullptr};
  torch::nn::Dropout drop{nullptr};

 private:
  int64_t block_size_;
};
TORCH_MODULE(GptNetwork);

}  // namespace gencli::gpt
