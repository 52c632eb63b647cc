#pragma once
// Adam with its update fused into one pass over memory for dense float CPU tensors.
// LibTorch's Adam runs ~8 separate kernels per tensor, each streaming the whole
// parameter through memory; for the MLP GAN that cost ~3.5 ms a step, a third of it.
// State and checkpoints are exactly torch::optim::Adam's (this is a subclass), and any
// other tensor (CUDA, double, sparse) takes LibTorch's own path.
#include "core/torch_api.h"

namespace gencli {

class FusedAdam : public torch::optim::Adam {
 public:
  using torch::optim::Adam::Adam;
  torch::Tensor step(LossClosure closure = nullptr) override;

 private:
  bool fusable() const;
};

}  // namespace gencli
