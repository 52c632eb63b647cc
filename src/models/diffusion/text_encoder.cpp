#include "models/diffusion/text_encoder.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "models/fresh_sum.h"
#include "models/group_norm.h"

namespace gencli::diffusion {

namespace nn = torch::nn;

TextEncoderImpl::TextEncoderImpl(const DiffusionConfig& c) {
  token_embedding = register_module("token_embedding", nn::Embedding(PromptTokenizer(c).vocabulary(), c.text_width));
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
  torch::Tensor q = query->forward(group_norm(x, norm))
                        .permute({0, 2, 3, 1})
                        .reshape({b, pixels, heads_, head_width})
                        .transpose(1, 2);
  auto kv = key_value->forward(context.states).view({b, length, 2, heads_, head_width}).permute({2, 0, 3, 1, 4}).unbind(0);
  torch::Tensor scores = torch::matmul(q, kv[0].transpose(2, 3)) / std::sqrt(static_cast<double>(head_width));
  scores = scores.masked_fill(context.padding.view({b, 1, 1, length}), -std::numeric_limits<float>::infinity());
  torch::Tensor attended = torch::matmul(torch::softmax(scores, -1), kv[1]);  // (B, heads, N, d)
  torch::Tensor map = attended.transpose(1, 2).reshape({b, x.size(2), x.size(3), c}).permute({0, 3, 1, 2});
  return add_into_fresh(projection->forward(map.contiguous(x.suggest_memory_format())), x);
}

}  // namespace gencli::diffusion
