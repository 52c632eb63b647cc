#include "models/diffusion/unet.h"

#include <algorithm>
#include <cmath>

#include "models/channels_last.h"
#include "models/fresh_sum.h"
#include "models/group_norm.h"
#include "models/transposed_conv.h"

namespace gencli::diffusion {

namespace nn = torch::nn;

namespace {

nn::Conv2d conv3x3(int64_t in, int64_t out, int64_t stride = 1) {
  return nn::Conv2d(nn::Conv2dOptions(in, out, 3).stride(stride).padding(1));
}

}  // namespace

ResBlockImpl::ResBlockImpl(int64_t in, int64_t out, int64_t embedding, int64_t groups, double p) {
  norm1 = register_module("norm1", nn::GroupNorm(groups, in));
  conv1 = register_module("conv1", conv3x3(in, out));
  embedding_projection = register_module("embedding_projection", nn::Linear(embedding, out));
  norm2 = register_module("norm2", nn::GroupNorm(groups, out));
  dropout = register_module("dropout", nn::Dropout(p));
  conv2 = register_module("conv2", conv3x3(out, out));
  if (in != out) skip = register_module("skip", nn::Conv2d(nn::Conv2dOptions(in, out, 1)));
}

torch::Tensor ResBlockImpl::forward(const torch::Tensor& x, const torch::Tensor& embedding) {
  torch::Tensor h = conv1->forward(group_norm_silu(x, norm1));
  h = add_into_fresh(h, embedding_projection->forward(torch::silu(embedding)).unsqueeze(-1).unsqueeze(-1));
  h = conv2->forward(dropout->forward(group_norm_silu(h, norm2)));
  return add_into_fresh(h, skip ? skip->forward(x) : x);
}

SelfAttentionImpl::SelfAttentionImpl(int64_t channels, int64_t groups) {
  norm = register_module("norm", nn::GroupNorm(groups, channels));
  qkv = register_module("qkv", nn::Conv2d(nn::Conv2dOptions(channels, 3 * channels, 1)));
  projection = register_module("projection", nn::Conv2d(nn::Conv2dOptions(channels, channels, 1)));
}

torch::Tensor SelfAttentionImpl::forward(const torch::Tensor& x) {
  const int64_t b = x.size(0), c = x.size(1), height = x.size(2), width = x.size(3);
  // Pixel-major (B, N, 3C) queries, keys and values: a view of a channels-last map.
  torch::Tensor tokens = qkv->forward(group_norm(x, norm)).permute({0, 2, 3, 1}).reshape({b, height * width, 3 * c});
  auto parts = tokens.chunk(3, -1);  // each (B, N, C)
  torch::Tensor weights = torch::softmax(torch::bmm(parts[0], parts[1].transpose(1, 2)) / std::sqrt(double(c)), -1);
  torch::Tensor attended = torch::bmm(weights, parts[2]);  // (B, N, C)
  torch::Tensor map = attended.view({b, height, width, c}).permute({0, 3, 1, 2});
  return add_into_fresh(projection->forward(map.contiguous(x.suggest_memory_format())), x);
}

UNetImpl::UNetImpl(const DiffusionConfig& c, int64_t embedding) {
  const int64_t levels = static_cast<int64_t>(c.channel_mult.size());
  auto attends = [&](int64_t level) {
    return c.text_conditional && std::find(c.cross_attention_levels.begin(), c.cross_attention_levels.end(), level) !=
                                     c.cross_attention_levels.end();
  };
  auto cross = [&](const std::string& name, int64_t width) {
    return register_module(name, CrossAttention(width, c.text_width, c.text_heads, c.groups));
  };
  input = register_module("input", conv3x3(c.image_channels, c.base_channels));
  // Widths of the feature maps the down path hands to the up path, in push order.
  std::vector<int64_t> skips = {c.base_channels};
  int64_t width = c.base_channels;
  for (int64_t i = 0; i < levels; ++i) {
    Level level;
    const int64_t out = c.base_channels * c.channel_mult[i];
    for (int64_t r = 0; r < c.res_blocks; ++r) {
      level.blocks.push_back(register_module("down" + std::to_string(i) + "_block" + std::to_string(r),
                                             ResBlock(width, out, embedding, c.groups, c.dropout)));
      width = out;
      if (attends(i)) level.cross.push_back(cross("down" + std::to_string(i) + "_cross" + std::to_string(r), width));
      skips.push_back(width);
    }
    if (i + 1 < levels) {
      level.resample = register_module("down" + std::to_string(i) + "_downsample", conv3x3(width, width, 2));
      skips.push_back(width);
    }
    down_.push_back(std::move(level));
  }
  middle1 = register_module("middle1", ResBlock(width, width, embedding, c.groups, c.dropout));
  if (c.attention) middle_attention = register_module("middle_attention", SelfAttention(width, c.groups));
  if (c.text_conditional) middle_cross = cross("middle_cross", width);
  middle2 = register_module("middle2", ResBlock(width, width, embedding, c.groups, c.dropout));
  for (int64_t i = levels - 1; i >= 0; --i) {
    Level level;
    const int64_t out = c.base_channels * c.channel_mult[i];
    for (int64_t r = 0; r <= c.res_blocks; ++r) {
      const int64_t skip = skips.back();
      skips.pop_back();
      level.blocks.push_back(register_module("up" + std::to_string(i) + "_block" + std::to_string(r),
                                             ResBlock(width + skip, out, embedding, c.groups, c.dropout)));
      width = out;
      if (attends(i)) level.cross.push_back(cross("up" + std::to_string(i) + "_cross" + std::to_string(r), width));
    }
    if (i > 0) level.resample = register_module("up" + std::to_string(i) + "_upsample", conv3x3(width, width));
    up_.push_back(std::move(level));
  }
  output_norm = register_module("output_norm", nn::GroupNorm(c.groups, width));
  output = register_module("output", conv3x3(width, c.image_channels));
}

torch::Tensor UNetImpl::forward(const torch::Tensor& x, const torch::Tensor& embedding, const TextContext* context) {
  TORCH_CHECK(!middle_cross || context, "a text-conditional U-Net needs the encoded prompt");
  std::vector<torch::Tensor> skips;
  // Channels-last maps on the CPU (models/channels_last.h); the GroupNorms keep them so.
  torch::Tensor h = input->forward(prefers_channels_last(x) ? to_channels_last(x) : x);
  skips.push_back(h);
  for (auto& level : down_) {
    for (size_t r = 0; r < level.blocks.size(); ++r) {
      h = level.blocks[r]->forward(h, embedding);
      if (!level.cross.empty()) h = level.cross[r]->forward(h, *context);
      skips.push_back(h);
    }
    if (level.resample) {
      h = level.resample->forward(h);
      skips.push_back(h);
    }
  }
  h = middle1->forward(h, embedding);
  if (middle_attention) h = middle_attention->forward(h);
  if (middle_cross) h = middle_cross->forward(h, *context);
  h = middle2->forward(h, embedding);
  for (auto& level : up_) {
    for (size_t r = 0; r < level.blocks.size(); ++r) {
      h = level.blocks[r]->forward(torch::cat({h, skips.back()}, 1), embedding);
      if (!level.cross.empty()) h = level.cross[r]->forward(h, *context);
      skips.pop_back();
    }
    if (level.resample) {
      h = upsample2x_then_conv3x3(h, level.resample);
    }
  }
  return output->forward(group_norm_silu(h, output_norm)).contiguous();
}

namespace {

// Frequencies of the toy denoiser's input features: 1, 2, 4, ... 2^(n-1), times pi.
constexpr int64_t kInputFrequencies = 8;

// [x, sin(2^k pi x), cos(2^k pi x)] per coordinate: an MLP on raw coordinates learns the sharp
// modes of toy data slowly (the spectral bias of Tancik et al. 2020); these features let it resolve them.
torch::Tensor fourier_features(const torch::Tensor& x) {
  torch::Tensor scales =
      M_PI * torch::pow(2.0, torch::arange(kInputFrequencies, x.options())).view({1, 1, kInputFrequencies});
  torch::Tensor angles = x.unsqueeze(-1) * scales;  // (B, D, K)
  return torch::cat({x, torch::sin(angles).flatten(1), torch::cos(angles).flatten(1)}, 1);
}

}  // namespace

ToyDenoiserImpl::ToyDenoiserImpl(const DiffusionConfig& c, int64_t embedding) {
  body = nn::Sequential();
  const int64_t dims = c.image_channels * c.image_size * c.image_size;
  int64_t in = dims * (1 + 2 * kInputFrequencies) + embedding;
  for (int64_t w : c.mlp_hidden) {
    body->push_back(nn::Linear(in, w));
    body->push_back(nn::SiLU());
    in = w;
  }
  body->push_back(nn::Linear(in, c.image_channels * c.image_size * c.image_size));
  register_module("body", body);
}

torch::Tensor ToyDenoiserImpl::forward(const torch::Tensor& x, const torch::Tensor& embedding) {
  return body->forward(torch::cat({fourier_features(x.flatten(1)), embedding}, 1)).view(x.sizes());
}

}  // namespace gencli::diffusion
