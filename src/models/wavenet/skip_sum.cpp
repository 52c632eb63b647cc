#include "models/wavenet/skip_sum.h"

namespace gencli::wavenet {

namespace {

class StackedSkipFunction : public torch::autograd::Function<StackedSkipFunction> {
 public:
  // weight: every layer's 1x1 weight side by side (S, sum of R_l, 1); bias: their sum (S).
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, at::TensorList gates,
                               const torch::Tensor& weight, const torch::Tensor& bias) {
    std::vector<torch::Tensor> saved(gates.begin(), gates.end());
    saved.push_back(weight);
    ctx->save_for_backward(saved);
    return torch::conv1d(torch::cat(gates, 1), weight, bias);
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    std::vector<torch::Tensor> gates = ctx->get_saved_variables();
    const torch::Tensor weight = gates.back();
    gates.pop_back();
    const torch::Tensor grad = grads[0].contiguous();
    torch::Tensor grad_weight;
    {
      // The weight gradient first, while the rebuilt stack lives; it is freed before the
      // units' gradients are made, so the two never take memory at the same time.
      const torch::Tensor stack = torch::cat(gates, 1);
      grad_weight = std::get<1>(at::convolution_backward(grad, stack, weight, c10::nullopt, {1}, {0}, {1}, false,
                                                         {0}, 1, {false, true, false}));
    }
    const torch::Tensor grad_bias = grad.sum(std::vector<int64_t>{0, 2});
    const torch::Tensor grad_stack = torch::conv1d(grad, weight.transpose(0, 1));
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
    torch::Tensor s = torch::conv1d(gates[l], weights[l], biases[l]);
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
