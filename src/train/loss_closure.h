#pragma once
// The optimizer-closure convention of torch::optim: re-evaluate the loss with
// gradients on, even when step() itself runs under NoGradGuard.
#include "core/torch_api.h"

namespace gencli {

inline torch::Tensor evaluate_closure(const torch::optim::Optimizer::LossClosure& closure) {
  if (!closure) return {};
  torch::AutoGradMode enable_grad(true);
  return closure();
}

}  // namespace gencli
