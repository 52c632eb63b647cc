#include "models/vae/vae_networks.h"

#include "models/transposed_conv.h"

namespace gencli::vae {

namespace {

namespace nn = torch::nn;

// Side of the smallest feature map of the conv encoder (each convolution halves it).
int64_t bottom_side(const VaeConfig& c) { return c.image_size >> c.conv_channels.size(); }

// Size of the encoder's flattened features before the fully connected layers.
int64_t feature_size(const VaeConfig& c) {
  if (c.arch == "mlp") return c.image_channels * c.image_size * c.image_size;
  return c.conv_channels.back() * bottom_side(c) * bottom_side(c);
}

// Linear layers through `widths`, each followed by ReLU. Returns the last width.
int64_t add_mlp(nn::Sequential& seq, int64_t in, const std::vector<int64_t>& widths) {
  for (int64_t w : widths) {
    seq->push_back(nn::Linear(in, w));
    seq->push_back(nn::ReLU());
    in = w;
  }
  return in;
}

torch::Tensor with_label(const torch::Tensor& h, const torch::Tensor& one_hot) {
  return one_hot.defined() ? torch::cat({h, one_hot}, 1) : h;
}

}  // namespace

EncoderImpl::EncoderImpl(const VaeConfig& c, int64_t num_classes) {
  features = nn::Sequential();
  if (c.arch == "conv") {
    int64_t in = c.image_channels;
    for (int64_t out : c.conv_channels) {
      features->push_back(nn::Conv2d(nn::Conv2dOptions(in, out, 4).stride(2).padding(1)));
      features->push_back(nn::ReLU());
      in = out;
    }
  }
  features->push_back(nn::Flatten());
  body = nn::Sequential();
  const int64_t width = add_mlp(body, feature_size(c) + (c.conditional ? num_classes : 0), c.hidden);
  if (c.hidden.empty()) body->push_back(nn::Identity());
  head = nn::Linear(width, 2 * c.latent_dim);
  register_module("features", features);
  register_module("body", body);
  register_module("head", head);
}

std::pair<torch::Tensor, torch::Tensor> EncoderImpl::forward(const torch::Tensor& x, const torch::Tensor& one_hot) {
  torch::Tensor stats = head->forward(body->forward(with_label(features->forward(x), one_hot)));
  auto halves = stats.chunk(2, 1);
  return {halves[0], halves[1]};
}

DecoderImpl::DecoderImpl(const VaeConfig& c, int64_t num_classes) {
  body = nn::Sequential();
  std::vector<int64_t> widths(c.hidden.rbegin(), c.hidden.rend());
  const int64_t width = add_mlp(body, c.latent_dim + (c.conditional ? num_classes : 0), widths);
  upsampling = nn::Sequential();
  if (c.arch == "mlp") {
    body->push_back(nn::Linear(width, feature_size(c)));
    upsampling->push_back(nn::Unflatten(nn::UnflattenOptions(1, {c.image_channels, c.image_size, c.image_size})));
  } else {
    const int64_t side = bottom_side(c);
    body->push_back(nn::Linear(width, feature_size(c)));
    body->push_back(nn::ReLU());
    upsampling->push_back(nn::Unflatten(nn::UnflattenOptions(1, {c.conv_channels.back(), side, side})));
    for (size_t i = c.conv_channels.size(); i-- > 0;) {
      const int64_t in = c.conv_channels[i];
      const int64_t out = i == 0 ? c.image_channels : c.conv_channels[i - 1];
      upsampling->push_back(TransposedConv2d(nn::ConvTranspose2dOptions(in, out, 4).stride(2).padding(1)));
      if (i != 0) upsampling->push_back(nn::ReLU());
    }
  }
  register_module("body", body);
  register_module("upsampling", upsampling);
}

torch::Tensor DecoderImpl::forward(const torch::Tensor& z, const torch::Tensor& one_hot) {
  return upsampling->forward(body->forward(with_label(z, one_hot)));
}

}  // namespace gencli::vae
