#include "models/diffusion/text_encoder.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/errors.h"

namespace gencli::diffusion {

namespace nn = torch::nn;

namespace {

// Ids 0..255 are the prompt's bytes; then the start token and padding.
constexpr int64_t kStartToken = 256;
constexpr int64_t kPadToken = 257;
constexpr int64_t kVocabulary = 258;

}  // namespace

PromptTokens tokenize_prompts(const std::vector<std::string>& prompts, int64_t max_tokens, const std::string& what) {
  const int64_t b = static_cast<int64_t>(prompts.size());
  // Padded to the longest prompt only: the encoder's cost grows with the length.
  size_t longest = 0;
  for (const std::string& p : prompts) longest = std::max(longest, p.size());
  const int64_t length = std::min<int64_t>(max_tokens, static_cast<int64_t>(longest) + 1);
  torch::Tensor ids = torch::full({b, length}, kPadToken, torch::kLong);
  torch::Tensor padding = torch::ones({b, length}, torch::kBool);
  auto id = ids.accessor<int64_t, 2>();
  auto pad = padding.accessor<bool, 2>();
  for (int64_t i = 0; i < b; ++i) {
    const std::string& p = prompts[static_cast<size_t>(i)];
    if (static_cast<int64_t>(p.size()) > max_tokens - 1)
      throw UserError(what + " \"" + p + "\": " + std::to_string(p.size()) + " bytes, but the text encoder reads at most " +
                      std::to_string(max_tokens - 1) + " (model.text_max_tokens " + std::to_string(max_tokens) +
                      ", one for the start token)");
    id[i][0] = kStartToken;
    pad[i][0] = false;
    for (size_t j = 0; j < p.size(); ++j) {
      id[i][static_cast<int64_t>(j) + 1] = static_cast<unsigned char>(p[j]);
      pad[i][static_cast<int64_t>(j) + 1] = false;
    }
  }
  return {ids, padding};
}

namespace {

PromptTokens pad_to(const PromptTokens& t, int64_t length) {
  const int64_t extra = length - t.ids.size(1);
  if (extra == 0) return t;
  return {torch::cat({t.ids, torch::full({t.ids.size(0), extra}, kPadToken, t.ids.options())}, 1),
          torch::cat({t.padding, torch::ones({t.padding.size(0), extra}, t.padding.options())}, 1)};
}

}  // namespace

PromptTokens concat(const PromptTokens& a, const PromptTokens& b) {
  const int64_t length = std::max(a.ids.size(1), b.ids.size(1));
  const PromptTokens pa = pad_to(a, length), pb = pad_to(b, length);
  return {torch::cat({pa.ids, pb.ids}), torch::cat({pa.padding, pb.padding})};
}

TextEncoderImpl::TextEncoderImpl(const DiffusionConfig& c) {
  token_embedding = register_module("token_embedding", nn::Embedding(kVocabulary, c.text_width));
  position_embedding = register_module("position_embedding", nn::Embedding(c.text_max_tokens, c.text_width));
  for (int64_t i = 0; i < c.text_layers; ++i)
    layers_.push_back(register_module(
        "layer" + std::to_string(i),
        nn::TransformerEncoderLayer(
            nn::TransformerEncoderLayerOptions(c.text_width, c.text_heads).dim_feedforward(4 * c.text_width).dropout(0.0))));
  final_norm = register_module("final_norm", nn::LayerNorm(nn::LayerNormOptions({c.text_width})));
}

TextContext TextEncoderImpl::forward(const PromptTokens& tokens) {
  const int64_t length = tokens.ids.size(1);
  torch::Tensor positions = torch::arange(length, tokens.ids.options());
  torch::Tensor h = token_embedding->forward(tokens.ids) + position_embedding->forward(positions).unsqueeze(0);
  h = h.transpose(0, 1);  // LibTorch's encoder layers take (L, B, width)
  for (auto& layer : layers_) h = layer->forward(h, /*src_mask=*/{}, /*src_key_padding_mask=*/tokens.padding);
  return {final_norm->forward(h.transpose(0, 1)), tokens.padding};
}

CrossAttentionImpl::CrossAttentionImpl(int64_t channels, int64_t context_width, int64_t heads, int64_t groups)
    : heads_(heads) {
  norm = register_module("norm", nn::GroupNorm(groups, channels));
  query = register_module("query", nn::Conv2d(nn::Conv2dOptions(channels, channels, 1)));
  key_value = register_module("key_value", nn::Linear(context_width, 2 * channels));
  projection = register_module("projection", nn::Conv2d(nn::Conv2dOptions(channels, channels, 1)));
}

torch::Tensor CrossAttentionImpl::forward(const torch::Tensor& x, const TextContext& context) {
  const int64_t b = x.size(0), c = x.size(1), pixels = x.size(2) * x.size(3), length = context.states.size(1);
  const int64_t head_width = c / heads_;
  // (B, heads, N, d) queries; (B, heads, L, d) keys and values.
  torch::Tensor q = query->forward(norm->forward(x)).view({b, heads_, head_width, pixels}).transpose(2, 3);
  auto kv = key_value->forward(context.states).view({b, length, 2, heads_, head_width}).permute({2, 0, 3, 1, 4}).unbind(0);
  torch::Tensor scores = torch::matmul(q, kv[0].transpose(2, 3)) / std::sqrt(static_cast<double>(head_width));
  scores = scores.masked_fill(context.padding.view({b, 1, 1, length}), -std::numeric_limits<float>::infinity());
  torch::Tensor attended = torch::matmul(torch::softmax(scores, -1), kv[1]);  // (B, heads, N, d)
  return x + projection->forward(attended.transpose(2, 3).reshape({b, c, x.size(2), x.size(3)}));
}

}  // namespace gencli::diffusion
