#pragma once
// Adam and AdamW with their update fused into one pass over memory for dense float CPU
// tensors. LibTorch's run ~8 separate kernels per tensor, each streaming the whole parameter
// through memory; for the MLP GAN that cost ~3.5 ms a step, a third of it. State and
// checkpoints are exactly torch::optim::Adam's / AdamW's (these are subclasses), and any other
// tensor (CUDA, double, sparse) or amsgrad takes LibTorch's own path.
#include "core/torch_api.h"

namespace gencli {

class FusedAdam : public torch::optim::Adam {
 public:
  using torch::optim::Adam::Adam;
  torch::Tensor step(LossClosure closure = nullptr) override;
};

// AdamW: the weight decay shrinks the parameter (decoupled, Loshchilov & Hutter) instead of
// joining the gradient.
class FusedAdamW : public torch::optim::AdamW {
 public:
  using torch::optim::AdamW::AdamW;
  torch::Tensor step(LossClosure closure = nullptr) override;
};

}  // namespace gencli
