#include "models/wavenet/wavenet_network.h"

#include "models/channels_last.h"
#include "models/fresh_sum.h"
#include "models/gated_activation.h"
#include "models/valid_conv2d.h"
#include "models/wavenet/skip_sum.h"

namespace gencli::wavenet {

namespace {

torch::nn::Conv1d conv1x1(int64_t in, int64_t out) { return torch::nn::Conv1d(torch::nn::Conv1dOptions(in, out, 1)); }

// conv's 1-D convolution run on (B, C, 1, T) maps: LibTorch 1.13 makes a 1-D convolution's
// input contiguous (channel-major), where oneDNN then reorders it around every call; as a 2-D
// map stored channels-last (time-major) it convolves it as it is (on 2 cores, 0.31 against
// 0.78 ms for a 32-channel 1x1 convolution of 8 x 4000 samples).
// WaveNet's layers are built below with stride 1, no padding of their own (the causal padding
// is the caller's) and one group; the dilation is read from the module. valid_conv2d computes
// the weight gradients (models/valid_conv2d.h).
torch::Tensor convolve_map(const torch::nn::Conv1dImpl& conv, const torch::Tensor& map) {
  return valid_conv2d(map, conv.weight.unsqueeze(2), conv.bias, {1, (*conv.options.dilation())[0]});
}

// A 1x1 convolution's weight (out, in, 1) as a matrix (in, out) for row vectors.
torch::Tensor as_matrix(const torch::Tensor& conv_weight) { return conv_weight.squeeze(2).t().contiguous(); }

}  // namespace

WaveNetImpl::WaveNetImpl(const WaveNetConfig& config, int64_t num_classes) : config_(config) {
  const int64_t r = config.residual_channels, s = config.skip_channels;
  embedding = register_module("embedding", torch::nn::Embedding(config.levels, r));
  dilated = register_module("dilated", torch::nn::ModuleList());
  residual = register_module("residual", torch::nn::ModuleList());
  skip = register_module("skip", torch::nn::ModuleList());
  class_bias = register_module("class_bias", torch::nn::ModuleList());
  for (int64_t stack = 0; stack < config.stacks; ++stack) {
    for (int64_t l = 0; l < config.layers_per_stack; ++l) {
      const int64_t d = int64_t{1} << l;
      dilations.push_back(d);
      dilated->push_back(torch::nn::Conv1d(torch::nn::Conv1dOptions(r, 2 * r, 2).dilation(d)));
      residual->push_back(conv1x1(r, r));
      skip->push_back(conv1x1(r, s));
      if (config.conditional)
        class_bias->push_back(torch::nn::Linear(torch::nn::LinearOptions(num_classes, 2 * r).bias(false)));
    }
  }
  head_hidden = register_module("head_hidden", conv1x1(s, s));
  head_out = register_module("head_out", conv1x1(s, config.levels));
}

torch::Tensor WaveNetImpl::embed(const torch::Tensor& codes) { return embedding->forward(codes).transpose(1, 2); }

std::vector<torch::Tensor> WaveNetImpl::class_biases(const torch::Tensor& one_hot) {
  std::vector<torch::Tensor> biases;
  if (!one_hot.defined()) return biases;
  for (size_t l = 0; l < class_bias->size(); ++l)
    biases.push_back(class_bias->at<torch::nn::LinearImpl>(l).forward(one_hot));
  return biases;
}

torch::Tensor WaveNetImpl::forward(const torch::Tensor& embeddings, const torch::Tensor& one_hot) {
  const size_t layers = dilations.size(), per_stack = static_cast<size_t>(config_.layers_per_stack);
  // The sequences as (B, C, 1, T) maps (convolve_map), channels-last on the CPU.
  torch::Tensor map = embeddings.unsqueeze(2);
  if (prefers_channels_last(map)) map = to_channels_last(map);
  // Shift right: position t holds the embedding of sample t-1 (one zero in front, the last
  // sample cropped), so nothing sees its own target.
  torch::Tensor x = torch::constant_pad_nd(map, {1, -1});
  const std::vector<torch::Tensor> biases = class_biases(one_hot);
  torch::Tensor skips;
  std::vector<torch::Tensor> gates, skip_weights, skip_biases;  // of the current stack
  for (size_t l = 0; l < layers; ++l) {
    // Left padding by the dilation keeps each convolution causal and the length unchanged.
    torch::Tensor pre =
        convolve_map(dilated->at<torch::nn::Conv1dImpl>(l), torch::constant_pad_nd(x, {dilations[l], 0}));
    gates.push_back(gated_activation(pre, biases.empty() ? torch::Tensor() : biases[l]));
    skip_weights.push_back(skip->at<torch::nn::Conv1dImpl>(l).weight.unsqueeze(2));
    skip_biases.push_back(skip->at<torch::nn::Conv1dImpl>(l).bias);
    // The last layer's residual output would feed no later layer.
    if (l + 1 < layers) x = add_into_fresh(convolve_map(residual->at<torch::nn::Conv1dImpl>(l), gates.back()), x);
    // A stack's skip connections at once (skip_sum.h). Per stack rather than for the whole
    // network: backward then makes one stack's unit gradients at a time.
    if ((l + 1) % per_stack == 0 || l + 1 == layers) {
      torch::Tensor s = skip_sum(gates, skip_weights, skip_biases);
      skips = skips.defined() ? add_into_fresh(s, skips) : s;
      gates.clear(), skip_weights.clear(), skip_biases.clear();
    }
  }
  torch::Tensor hidden = torch::relu(convolve_map(*head_hidden, torch::relu(skips)));
  return convolve_map(*head_out, hidden).squeeze(2);
}

IncrementalWaveNet::IncrementalWaveNet(WaveNetImpl& net, int64_t batch, const torch::Tensor& one_hot) {
  torch::NoGradGuard no_grad;
  for (size_t l = 0; l < net.dilations.size(); ++l) {
    auto& conv = net.dilated->at<torch::nn::Conv1dImpl>(l);
    auto& res = net.residual->at<torch::nn::Conv1dImpl>(l);
    auto& sk = net.skip->at<torch::nn::Conv1dImpl>(l);
    Layer layer;
    layer.dilation = net.dilations[l];
    // With left padding d, output t = w[..., 0] x[t - d] + w[..., 1] x[t] + b.
    layer.tap_past = conv.weight.select(2, 0).t().contiguous();
    layer.tap_now = conv.weight.select(2, 1).t().contiguous();
    layer.bias = conv.bias;
    layer.res_w = as_matrix(res.weight);
    layer.res_b = res.bias;
    layer.skip_w = as_matrix(sk.weight);
    layer.skip_b = sk.bias;
    layer.history = torch::zeros({layer.dilation, batch, conv.weight.size(1)}, conv.weight.options());
    layers_.push_back(layer);
  }
  class_biases_ = net.class_biases(one_hot);
  hidden_w_ = as_matrix(net.head_hidden->weight);
  hidden_b_ = net.head_hidden->bias;
  out_w_ = as_matrix(net.head_out->weight);
  out_b_ = net.head_out->bias;
}

torch::Tensor IncrementalWaveNet::step(const torch::Tensor& previous) {
  torch::NoGradGuard no_grad;
  torch::Tensor x = previous, skips;
  for (size_t l = 0; l < layers_.size(); ++l) {
    Layer& layer = layers_[l];
    torch::Tensor slot = layer.history[t_ % layer.dilation];
    // Out of place: autocast (sample --precision) casts addmm's operands, not addmm_'s.
    torch::Tensor pre = torch::addmm(torch::addmm(layer.bias, slot, layer.tap_past), x, layer.tap_now);
    slot.copy_(x);  // x is this layer's input d steps from now
    if (!class_biases_.empty()) pre.add_(class_biases_[l]);
    torch::Tensor z = gated_activation(pre);
    torch::Tensor s = torch::addmm(layer.skip_b, z, layer.skip_w);
    skips = skips.defined() ? skips.add_(s) : s;
    x = x + torch::addmm(layer.res_b, z, layer.res_w);
  }
  ++t_;
  torch::Tensor hidden = torch::addmm(hidden_b_, torch::relu(skips), hidden_w_);
  return torch::addmm(out_b_, torch::relu(hidden), out_w_);
}

}  // namespace gencli::wavenet
