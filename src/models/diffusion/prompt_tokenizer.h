#pragma once
// Prompts as token ids for the text encoder of text-to-image diffusion: a start token, then the
// prompt's UTF-8 bytes (model.text_tokenizer "bytes", nothing to ship) or its tokens under a
// byte-level BPE trained on the training captions ("bpe", data/byte_bpe.h). The empty prompt is
// the start token alone: classifier-free guidance's unconditional input.
#include "core/torch_api.h"

#include <memory>
#include <string>
#include <vector>

#include "data/byte_bpe.h"
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

// Both sets of prompts in one batch: a's rows, then b's (the shorter padded).
PromptTokens concat(const PromptTokens& a, const PromptTokens& b);

class PromptTokenizer {
 public:
  // ConfigError when text_tokenizer is "bpe" and its vocab and merges are missing or unreadable.
  explicit PromptTokenizer(const DiffusionConfig& config);

  // Throws UserError naming `what` (--prompt, a caption) when a prompt has more than
  // text_max_tokens - 1 tokens.
  PromptTokens tokenize(const std::vector<std::string>& prompts, const std::string& what) const;
  // How many ids the encoder embeds: the prompt tokens, the start token and padding.
  int64_t vocabulary() const { return pad_token() + 1; }
  int64_t start_token() const { return prompt_tokens_; }
  int64_t pad_token() const { return prompt_tokens_ + 1; }

 private:
  std::vector<int64_t> encode(const std::string& prompt, const std::string& what) const;

  std::shared_ptr<const ByteBpe> bpe_;  // null: bytes
  int64_t prompt_tokens_;               // 256 bytes, or the BPE's vocabulary
  int64_t max_tokens_;
  std::string unit_;                    // "bytes" or "tokens", for errors
};

}  // namespace gencli::diffusion
