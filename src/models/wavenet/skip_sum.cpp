#include "models/wavenet/skip_sum.h"

#include "core/profiled_region.h"

namespace gencli::wavenet {

namespace {

// A convolution of stride 1, no padding and one group over the spatial dimensions of weight
// (1 for (B, C, T) sequences, 2 for (B, C, 1, T) maps): a 1x1 convolution here.
torch::Tensor unit_convolution(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias) {
  const std::vector<int64_t> ones(weight.dim() - 2, 1), zeros(weight.dim() - 2, 0);
  return at::convolution(x, weight, bias, ones, zeros, ones, false, zeros, 1);
}

class StackedSkipFunction : public torch::autograd::Function<StackedSkipFunction> {
 public:
  // weight: every layer's 1x1 weight side by side, (S, sum of R_l, 1) or (S, sum of R_l, 1, 1)
  // for maps; bias: their sum (S).
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, at::TensorList gates,
                               const torch::Tensor& weight, const torch::Tensor& bias) {
    GENCLI_PROFILED_REGION("gencli::skip_sum");
    std::vector<torch::Tensor> saved(gates.begin(), gates.end());
    saved.push_back(weight);
    ctx->save_for_backward(saved);
    return unit_convolution(torch::cat(gates, 1), weight, bias);
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    std::vector<torch::Tensor> gates = ctx->get_saved_variables();
    const torch::Tensor weight = gates.back();
    gates.pop_back();
    // In the units' layout (channels-last maps stay so).
    const torch::Tensor grad = grads[0].contiguous(gates.front().suggest_memory_format());
    const std::vector<int64_t> ones(weight.dim() - 2, 1), zeros(weight.dim() - 2, 0);
    torch::Tensor grad_weight;
    {
      // The weight gradient first, while the rebuilt stack lives; it is freed before the
      // units' gradients are made, so the two never take memory at the same time.
      const torch::Tensor stack = torch::cat(gates, 1);
      grad_weight = std::get<1>(at::convolution_backward(grad, stack, weight, c10::nullopt, ones, zeros, ones, false,
                                                         zeros, 1, {false, true, false}));
    }
    std::vector<int64_t> all_but_channels{0};
    for (int64_t d = 2; d < grad.dim(); ++d) all_but_channels.push_back(d);
    const torch::Tensor grad_bias = grad.sum(all_but_channels);
    const torch::Tensor grad_stack = unit_convolution(grad, weight.transpose(0, 1), torch::Tensor());
    std::vector<int64_t> channels;
    for (const torch::Tensor& g : gates) channels.push_back(g.size(1));
    torch::autograd::variable_list out = grad_stack.split_with_sizes(channels, 1);
    out.push_back(grad_weight);
    out.push_back(grad_bias);
    return out;
  }
};

}  // namespace

torch::Tensor skip_sum_reference(const std::vector<torch::Tensor>& gates, const std::vector<torch::Tensor>& weights,
                                 const std::vector<torch::Tensor>& biases) {
  torch::Tensor sum;
  for (size_t l = 0; l < gates.size(); ++l) {
    torch::Tensor s = unit_convolution(gates[l], weights[l], biases[l]);
    sum = sum.defined() ? sum + s : s;
  }
  return sum;
}

torch::Tensor skip_sum(const std::vector<torch::Tensor>& gates, const std::vector<torch::Tensor>& weights,
                       const std::vector<torch::Tensor>& biases) {
  TORCH_CHECK(!gates.empty() && gates.size() == weights.size() && gates.size() == biases.size(),
              "skip_sum: one weight and one bias per layer");
  const torch::Tensor& first = gates.front();
  if (!first.device().is_cpu() || first.scalar_type() != torch::kFloat || gates.size() == 1)
    return skip_sum_reference(gates, weights, biases);
  return StackedSkipFunction::apply(at::TensorList(gates), torch::cat(weights, 1), torch::stack(biases).sum(0));
}

}  // namespace gencli::wavenet
