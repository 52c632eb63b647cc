#include "models/pixelcnn/pixelcnn_networks.h"

#include "models/channels_last.h"
#include "models/fresh_sum.h"
#include "models/gated_activation.h"
#include "models/valid_conv2d.h"

namespace gencli::pixelcnn {

namespace {

torch::nn::Conv2d conv1x1(int64_t in, int64_t out) { return torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, 1)); }

// A class embedding as a per-channel bias: (B, classes) -> (B, channels, 1, 1). Registered
// only for conditional networks.
torch::nn::Linear class_embedding(int64_t classes, int64_t channels) {
  return torch::nn::Linear(torch::nn::LinearOptions(classes, channels).bias(false));
}

torch::Tensor class_bias(torch::nn::ModuleList& list, size_t layer, const torch::Tensor& one_hot) {
  if (!one_hot.defined()) return torch::Tensor();
  torch::Tensor b = list->at<torch::nn::LinearImpl>(layer).forward(one_hot);
  return b.view({b.size(0), b.size(1), 1, 1});
}

torch::Tensor add_bias(const torch::Tensor& x, const torch::Tensor& bias) { return bias.defined() ? x + bias : x; }

// The gated activation of x plus a class bias (B, C, 1, 1) or none, the bias added inside it.
torch::Tensor gate(const torch::Tensor& x, const torch::Tensor& bias) {
  return gated_activation(x, bias.defined() ? bias.flatten(1) : bias);
}

// Moves every row down by one (the top row becomes zeros), so row i holds row i-1's features:
// one zero row padded on top and the last row cropped, in one dense copy (a slice of the padded
// map would be a strided view that the next convolution copies again).
torch::Tensor shift_down(const torch::Tensor& x) { return torch::constant_pad_nd(x, {0, 0, 1, -1}); }

}  // namespace

OutputHeadImpl::OutputHeadImpl(int64_t channels, int64_t hidden, int64_t outputs) {
  hidden_ = register_module("hidden", conv1x1(channels, hidden));
  out_ = register_module("out", conv1x1(hidden, outputs));
}

torch::Tensor OutputHeadImpl::forward(const torch::Tensor& features) {
  return valid_conv2d(torch::relu(valid_conv2d(torch::relu(features), *hidden_)), *out_);
}

ResidualPixelCnnImpl::ResidualPixelCnnImpl(const PixelCnnConfig& c, int64_t outputs, int64_t num_classes) {
  const int64_t h = c.channels, half = std::max<int64_t>(1, c.channels / 2);
  first_ = register_module("first", MaskedConv2d(c.image_channels, h, c.first_kernel, MaskKind::A));
  reduce_ = register_module("reduce", torch::nn::ModuleList());
  masked_ = register_module("masked", torch::nn::ModuleList());
  expand_ = register_module("expand", torch::nn::ModuleList());
  class_bias_ = register_module("class_bias", torch::nn::ModuleList());
  for (int64_t l = 0; l < c.layers; ++l) {
    reduce_->push_back(conv1x1(h, half));
    masked_->push_back(MaskedConv2d(half, half, c.kernel, MaskKind::B));
    expand_->push_back(conv1x1(half, h));
    if (c.conditional) class_bias_->push_back(class_embedding(num_classes, half));
  }
  head_ = register_module("head", OutputHead(h, c.head_channels, outputs));
}

torch::Tensor ResidualPixelCnnImpl::forward(const torch::Tensor& x, const torch::Tensor& one_hot) {
  torch::Tensor h = first_->forward(x);
  for (size_t l = 0; l < reduce_->size(); ++l) {
    torch::Tensor r = valid_conv2d(torch::relu(h), reduce_->at<torch::nn::Conv2dImpl>(l));
    r = masked_->at<MaskedConv2dImpl>(l).forward(torch::relu(r));
    r = add_bias(r, class_bias(class_bias_, l, one_hot));
    h = add_into_fresh(valid_conv2d(torch::relu(r), expand_->at<torch::nn::Conv2dImpl>(l)), h);
  }
  return head_->forward(h);
}

GatedPixelCnnImpl::GatedPixelCnnImpl(const PixelCnnConfig& c, int64_t outputs, int64_t num_classes) {
  const int64_t p = c.channels;
  vertical_ = register_module("vertical", torch::nn::ModuleList());
  horizontal_ = register_module("horizontal", torch::nn::ModuleList());
  vertical_to_horizontal_ = register_module("vertical_to_horizontal", torch::nn::ModuleList());
  horizontal_out_ = register_module("horizontal_out", torch::nn::ModuleList());
  class_bias_ = register_module("class_bias", torch::nn::ModuleList());
  for (int64_t l = 0; l < c.layers; ++l) {
    const int64_t in = l == 0 ? c.image_channels : p;
    vertical_->push_back(MaskedConv2d(in, 2 * p, c.kernel, MaskKind::Vertical));
    horizontal_->push_back(MaskedConv2d(in, 2 * p, c.kernel, l == 0 ? MaskKind::RowA : MaskKind::RowB));
    vertical_to_horizontal_->push_back(conv1x1(2 * p, 2 * p));
    horizontal_out_->push_back(conv1x1(p, p));
    if (c.conditional) class_bias_->push_back(class_embedding(num_classes, 2 * p));
  }
  head_ = register_module("head", OutputHead(p, c.head_channels, outputs));
}

torch::Tensor GatedPixelCnnImpl::forward(const torch::Tensor& x, const torch::Tensor& one_hot) {
  // Both stacks start from the image. The vertical stack at row i sees rows <= i, which is why
  // it reaches the horizontal stack only shifted down a row; the output reads the horizontal
  // stack alone, so pixel (i, j) sees rows < i and row i left of j.
  // Channels-last maps on the CPU (models/channels_last.h); the gates keep them so.
  torch::Tensor v = prefers_channels_last(x) ? to_channels_last(x) : x, h = v;
  for (size_t l = 0; l < vertical_->size(); ++l) {
    torch::Tensor bias = class_bias(class_bias_, l, one_hot);
    torch::Tensor v_pre = vertical_->at<MaskedConv2dImpl>(l).forward(v);
    torch::Tensor h_pre =
        add_into_fresh(horizontal_->at<MaskedConv2dImpl>(l).forward(h),
                       valid_conv2d(shift_down(v_pre), vertical_to_horizontal_->at<torch::nn::Conv2dImpl>(l)));
    v = gate(v_pre, bias);
    torch::Tensor h_out = valid_conv2d(gate(h_pre, bias), horizontal_out_->at<torch::nn::Conv2dImpl>(l));
    h = l == 0 ? h_out : add_into_fresh(h_out, h);  // the first layer's input has other channels: no residual
  }
  // The logits in NCHW, as the likelihoods' code reads them: a copy only where a pixel has
  // several outputs (the categorical likelihood's levels), free for one.
  return head_->forward(h).contiguous();
}

std::shared_ptr<PixelNetworkImpl> make_pixel_network(const PixelCnnConfig& config, int64_t num_classes) {
  const int64_t per_channel = config.likelihood == "bernoulli" ? 1 : config.levels;
  const int64_t outputs = config.image_channels * per_channel;
  if (config.arch == "residual") return std::make_shared<ResidualPixelCnnImpl>(config, outputs, num_classes);
  return std::make_shared<GatedPixelCnnImpl>(config, outputs, num_classes);
}

}  // namespace gencli::pixelcnn
