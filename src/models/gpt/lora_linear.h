#pragma once
// A linear layer with an optional low-rank adapter (LoRA, Hu et al. 2021):
//   y = x W^T + b + (alpha / r) * dropout(x) A^T B^T,   A (r, in), B (out, r).
// B starts at zero, so a fresh adapter leaves the layer's output exactly as it was; with an
// adapter, W and b are frozen and only A and B train. The weight and bias keep nn::Linear's
// names ("weight", "bias"), so a base model's checkpoint loads into the adapted one.
#include "core/torch_api.h"

namespace gencli::gpt {

class LoraLinearImpl : public torch::nn::Module {
 public:
  // rank 0: a plain linear layer.
  LoraLinearImpl(int64_t in, int64_t out, bool bias, int64_t rank, double alpha, double dropout);
  torch::Tensor forward(const torch::Tensor& x);
  // Folds the adapter into the weight (W += (alpha / r) B A); the layer then ignores its adapter
  // (lora_A and lora_B stay registered: export builds a model without them to save).
  void merge();
  bool has_adapter() const { return rank_ > 0; }

  torch::Tensor weight, bias, lora_A, lora_B;

 private:
  int64_t rank_;
  double scale_;
  torch::nn::Dropout dropout_{nullptr};
};
TORCH_MODULE(LoraLinear);

// Whether a parameter name (from named_parameters) belongs to an adapter.
bool is_adapter_parameter(const std::string& name);

}  // namespace gencli::gpt
