#include "models/gpt/lora_linear.h"

#include "models/gpt/matvec.h"

#include <cmath>

namespace gencli::gpt {

LoraLinearImpl::LoraLinearImpl(int64_t in, int64_t out, bool use_bias, int64_t rank, double alpha, double dropout)
    : rank_(rank), scale_(rank > 0 ? alpha / static_cast<double>(rank) : 0.0) {
  // GPT-2's initialisation: N(0, 0.02) weights, zero biases (the model rescales projections).
  weight = register_parameter("weight", torch::randn({out, in}) * 0.02);
  if (use_bias) bias = register_parameter("bias", torch::zeros({out}));
  if (rank > 0) {
    // A like nn.Linear's default (Kaiming-uniform), B zero: the adapter starts as a no-op.
    const double bound = 1.0 / std::sqrt(static_cast<double>(in));
    lora_A = register_parameter("lora_A", torch::empty({rank, in}).uniform_(-bound, bound));
    lora_B = register_parameter("lora_B", torch::zeros({out, rank}));
    dropout_ = register_module("lora_dropout", torch::nn::Dropout(dropout));
    weight.set_requires_grad(false);
    if (bias.defined()) bias.set_requires_grad(false);
  }
}

torch::Tensor LoraLinearImpl::forward(const torch::Tensor& x) {
  torch::Tensor y;
  if (x.numel() == weight.size(1) && !torch::GradMode::is_enabled()) {
    // One position (cached generation): a matrix-vector product (models/gpt/matvec.h says why).
    std::vector<int64_t> shape = x.sizes().vec();
    shape.back() = weight.size(0);
    y = matvec(weight, x.reshape({-1}), bias).view(shape);
  } else {
    y = torch::nn::functional::linear(x, weight, bias);
  }
  if (rank_ > 0) y = y + torch::nn::functional::linear(torch::nn::functional::linear(dropout_->forward(x), lora_A), lora_B) * scale_;
  return y;
}

void LoraLinearImpl::merge() {
  if (rank_ == 0) return;
  torch::NoGradGuard no_grad;
  weight.add_(torch::matmul(lora_B, lora_A) * scale_);
  rank_ = 0;
}

bool is_adapter_parameter(const std::string& name) {
  return name.find("lora_A") != std::string::npos || name.find("lora_B") != std::string::npos;
}

}  // namespace gencli::gpt
