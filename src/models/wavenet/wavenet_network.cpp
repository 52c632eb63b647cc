#include "models/wavenet/wavenet_network.h"

#include "models/gated_activation.h"
#include "models/wavenet/skip_sum.h"

namespace gencli::wavenet {

namespace {

torch::nn::Conv1d conv1x1(int64_t in, int64_t out) { return torch::nn::Conv1d(torch::nn::Conv1dOptions(in, out, 1)); }


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
  const int64_t length = embeddings.size(2);
  const size_t layers = dilations.size(), per_stack = static_cast<size_t>(config_.layers_per_stack);
  // Shift right: position t holds the embedding of sample t-1, so nothing sees its own target.
  torch::Tensor x = torch::constant_pad_nd(embeddings, {1, 0}).slice(2, 0, length);
  const std::vector<torch::Tensor> biases = class_biases(one_hot);
  torch::Tensor skips;
  std::vector<torch::Tensor> gates, skip_weights, skip_biases;  // of the current stack
  for (size_t l = 0; l < layers; ++l) {
    // Left padding by the dilation keeps each convolution causal and the length unchanged.
    torch::Tensor pre = dilated->at<torch::nn::Conv1dImpl>(l).forward(torch::constant_pad_nd(x, {dilations[l], 0}));
    gates.push_back(gated_activation(pre, biases.empty() ? torch::Tensor() : biases[l]));
    skip_weights.push_back(skip->at<torch::nn::Conv1dImpl>(l).weight);
    skip_biases.push_back(skip->at<torch::nn::Conv1dImpl>(l).bias);
    // The last layer's residual output would feed no later layer.
    if (l + 1 < layers) x = x + residual->at<torch::nn::Conv1dImpl>(l).forward(gates.back());
    // A stack's skip connections at once (skip_sum.h). Per stack rather than for the whole
    // network: backward then makes one stack's unit gradients at a time.
    if ((l + 1) % per_stack == 0 || l + 1 == layers) {
      torch::Tensor s = skip_sum(gates, skip_weights, skip_biases);
      skips = skips.defined() ? skips + s : s;
      gates.clear(), skip_weights.clear(), skip_biases.clear();
    }
  }
  return head_out->forward(torch::relu(head_hidden->forward(torch::relu(skips))));
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
