#include "models/autoencoder/autoencoder_networks.h"

namespace gencli::autoencoder {

namespace nn = torch::nn;

namespace {

nn::Conv2d conv3x3(int64_t in, int64_t out, int64_t stride = 1) {
  return nn::Conv2d(nn::Conv2dOptions(in, out, 3).stride(stride).padding(1));
}

// Nearest-neighbour doubling, as a module so the decoder stays one Sequential.
class UpsampleImpl : public nn::Module {
 public:
  torch::Tensor forward(const torch::Tensor& x) {
    return torch::upsample_nearest2d(x, {x.size(2) * 2, x.size(3) * 2});
  }
};
TORCH_MODULE(Upsample);

class SiLUImpl : public nn::Module {
 public:
  torch::Tensor forward(const torch::Tensor& x) { return torch::silu(x); }
};
TORCH_MODULE(SiLU);

int64_t width(const AutoencoderConfig& c, size_t level) { return c.base_channels * c.channel_mult[level]; }

}  // namespace

ConvResBlockImpl::ConvResBlockImpl(int64_t in, int64_t out, int64_t groups) {
  norm1 = register_module("norm1", nn::GroupNorm(groups, in));
  conv1 = register_module("conv1", conv3x3(in, out));
  norm2 = register_module("norm2", nn::GroupNorm(groups, out));
  conv2 = register_module("conv2", conv3x3(out, out));
  if (in != out) skip = register_module("skip", nn::Conv2d(nn::Conv2dOptions(in, out, 1)));
}

torch::Tensor ConvResBlockImpl::forward(const torch::Tensor& x) {
  torch::Tensor h = conv1->forward(torch::silu(norm1->forward(x)));
  h = conv2->forward(torch::silu(norm2->forward(h)));
  return h + (skip ? skip->forward(x) : x);
}

LatentEncoderImpl::LatentEncoderImpl(const AutoencoderConfig& c) {
  body = nn::Sequential();
  body->push_back(conv3x3(c.image_channels, width(c, 0)));
  int64_t in = width(c, 0);
  for (size_t level = 0; level < c.channel_mult.size(); ++level) {
    for (int64_t r = 0; r < c.res_blocks; ++r) {
      body->push_back(ConvResBlock(in, width(c, level), c.groups));
      in = width(c, level);
    }
    if (level + 1 < c.channel_mult.size()) body->push_back(conv3x3(in, in, 2));
  }
  body->push_back(ConvResBlock(in, in, c.groups));
  body->push_back(nn::GroupNorm(c.groups, in));
  body->push_back(SiLU());
  body->push_back(conv3x3(in, 2 * c.latent_channels));
  register_module("body", body);
}

std::pair<torch::Tensor, torch::Tensor> LatentEncoderImpl::forward(const torch::Tensor& x) {
  auto halves = body->forward(x).chunk(2, 1);
  // As in Stable Diffusion's first stage, a bounded log-variance keeps early steps finite.
  return {halves[0], halves[1].clamp(-30.0, 20.0)};
}

LatentDecoderImpl::LatentDecoderImpl(const AutoencoderConfig& c) {
  body = nn::Sequential();
  const size_t levels = c.channel_mult.size();
  int64_t in = width(c, levels - 1);
  body->push_back(conv3x3(c.latent_channels, in));
  body->push_back(ConvResBlock(in, in, c.groups));
  for (size_t level = levels; level-- > 0;) {
    for (int64_t r = 0; r < c.res_blocks; ++r) {
      body->push_back(ConvResBlock(in, width(c, level), c.groups));
      in = width(c, level);
    }
    if (level > 0) {
      body->push_back(Upsample());
      body->push_back(conv3x3(in, in));
    }
  }
  body->push_back(nn::GroupNorm(c.groups, in));
  body->push_back(SiLU());
  body->push_back(conv3x3(in, c.image_channels));
  register_module("body", body);
}

torch::Tensor LatentDecoderImpl::forward(const torch::Tensor& z) { return body->forward(z); }

}  // namespace gencli::autoencoder
