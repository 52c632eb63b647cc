#include "models/wavenet/packed_wavenet.h"

#include <algorithm>

#include "core/torch_compat.h"
#include "models/wavenet/packed_step_kernel.h"

namespace gencli::wavenet {

namespace {

std::vector<float> packed_floats(const torch::Tensor& t) {
  torch::Tensor c = t.detach().to(torch::kCPU, torch::kFloat).contiguous();
  return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}

// A 1x1 convolution's weight (out, in, 1) as (in, out) for row vectors.
std::vector<float> packed_matrix(const torch::Tensor& conv_weight) {
  return packed_floats(conv_weight.squeeze(2).t());
}

}  // namespace

bool PackedWaveNet::applies(const WaveNetImpl& net) {
  if (torch_compat::autocast_state(c10::kCPU).enabled) return false;
  for (const torch::Tensor& p : net.parameters())
    if (!p.device().is_cpu() || p.scalar_type() != torch::kFloat) return false;
  return true;
}

PackedWaveNet::PackedWaveNet(WaveNetImpl& net, int64_t batch, const torch::Tensor& one_hot)
    : batch_(batch),
      residual_(net.embedding->weight.size(1)),
      skip_channels_(net.head_hidden->weight.size(0)),
      levels_(net.head_out->weight.size(0)) {
  torch::NoGradGuard no_grad;
  const int64_t r = residual_, s = skip_channels_;
  const std::vector<torch::Tensor> class_biases = net.class_biases(one_hot);
  skip_bias_.assign(s, 0.0f);
  for (size_t l = 0; l < net.dilations.size(); ++l) {
    auto& conv = net.dilated->at<torch::nn::Conv1dImpl>(l);
    auto& res = net.residual->at<torch::nn::Conv1dImpl>(l);
    auto& sk = net.skip->at<torch::nn::Conv1dImpl>(l);
    Layer layer;
    layer.dilation = net.dilations[l];
    // With left padding d, output t = w[..., 0] x[t - d] + w[..., 1] x[t] + b.
    layer.taps = packed_floats(torch::cat({conv.weight.select(2, 0).t(), conv.weight.select(2, 1).t()}, 0));
    torch::Tensor row_bias = conv.bias.unsqueeze(0).expand({batch, 2 * r});
    if (!class_biases.empty()) row_bias = row_bias + class_biases[l];
    layer.row_bias = packed_floats(row_bias);
    layer.res_skip = packed_matrix(torch::cat({res.weight, sk.weight}, 0));
    layer.res_b = packed_floats(res.bias);
    add_in_place(packed_floats(sk.bias).data(), s, skip_bias_.data());
    layer.history.assign(layer.dilation * batch * r, 0.0f);
    layers_.push_back(std::move(layer));
  }
  embedding_ = packed_floats(net.embedding->weight);
  hidden_w_ = packed_matrix(net.head_hidden->weight);
  hidden_b_ = packed_floats(net.head_hidden->bias);
  out_w_ = packed_matrix(net.head_out->weight);
  out_b_ = packed_floats(net.head_out->bias);
  input_.assign(batch * r, 0.0f);
  tap_input_.resize(2 * r);
  pre_.resize(2 * r);
  gated_.resize(r);
  res_skip_out_.resize(r + s);
  skips_.resize(s);
  relu_skips_.resize(s);
  hidden_.resize(s);
  logits_.resize(batch * levels_);
}

void PackedWaveNet::set_input_codes(const torch::Tensor& codes) {
  torch::Tensor c = codes.to(torch::kCPU, torch::kLong).contiguous();
  TORCH_CHECK(c.numel() == batch_, "packed WaveNet: expected ", batch_, " codes, got ", c.numel());
  const int64_t* code = c.data_ptr<int64_t>();
  for (int64_t b = 0; b < batch_; ++b) {
    TORCH_CHECK(code[b] >= 0 && code[b] < levels_, "packed WaveNet: code ", code[b], " out of range");
    std::copy_n(embedding_.data() + code[b] * residual_, residual_, input_.data() + b * residual_);
  }
}

void PackedWaveNet::set_input(const torch::Tensor& embeddings) {
  TORCH_CHECK(embeddings.numel() == batch_ * residual_, "packed WaveNet: expected (", batch_, ", ", residual_,
              ") embeddings");
  input_ = packed_floats(embeddings);
}

torch::Tensor PackedWaveNet::step() {
  const int64_t r = residual_, s = skip_channels_;
  for (int64_t b = 0; b < batch_; ++b) {
    float* stream = tap_input_.data() + r;  // the residual stream, right after the past input
    std::copy_n(input_.data() + b * r, r, stream);
    skips_ = skip_bias_;
    for (Layer& layer : layers_) {
      float* slot = layer.history.data() + ((t_ % layer.dilation) * batch_ + b) * r;
      std::copy_n(slot, r, tap_input_.data());
      std::copy_n(stream, r, slot);  // this layer's input d steps from now
      std::copy_n(layer.row_bias.data() + b * 2 * r, 2 * r, pre_.data());
      add_vector_times_matrix(tap_input_.data(), layer.taps.data(), 2 * r, 2 * r, pre_.data());
      gated_unit(pre_.data(), r, gated_.data());
      std::copy_n(layer.res_b.data(), r, res_skip_out_.data());
      std::fill_n(res_skip_out_.data() + r, s, 0.0f);
      add_vector_times_matrix(gated_.data(), layer.res_skip.data(), r, r + s, res_skip_out_.data());
      add_in_place(res_skip_out_.data(), r, stream);
      add_in_place(res_skip_out_.data() + r, s, skips_.data());
    }
    relu_into(skips_.data(), s, relu_skips_.data());
    hidden_ = hidden_b_;
    add_vector_times_matrix(relu_skips_.data(), hidden_w_.data(), s, s, hidden_.data());
    relu_into(hidden_.data(), s, relu_skips_.data());  // the skips' ReLU is no longer needed
    float* logits = logits_.data() + b * levels_;
    std::copy_n(out_b_.data(), levels_, logits);
    add_vector_times_matrix(relu_skips_.data(), out_w_.data(), s, levels_, logits);
  }
  ++t_;
  return torch::from_blob(logits_.data(), {batch_, levels_}, torch::TensorOptions().dtype(torch::kFloat));
}

}  // namespace gencli::wavenet
