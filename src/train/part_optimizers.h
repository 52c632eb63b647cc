#pragma once
// The optimizers of a run, one per part the model names (a GAN has two); the loop owns them,
// the family decides when to step which.
#include "core/torch_api.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/config.h"
#include "models/model.h"
#include "train/loss_scaler.h"

namespace gencli {

class Collectives;

class PartOptimizers : public Optimizers {
 public:
  // `scale_losses`: float16 training, whose losses go through a LossScaler.
  PartOptimizers(Model& model, const OptimConfig& config, bool scale_losses = false);

  void zero_grad(const std::string& part) override;
  void backward(const torch::Tensor& loss) override;
  // Averages the part's gradients over the processes of a data-parallel run, unscales them and
  // skips the step if they overflowed (fp16), clips them (optim.grad_clip), then steps. So
  // clipping and the overflow test see the global batch's gradient, the same on every process.
  void update(const std::string& part) override;
  // A data-parallel run's processes (null, the default: one process).
  void set_collectives(Collectives* collectives) { collectives_ = collectives; }
  // After every training step: the loss scaler's bookkeeping.
  void end_step() { scaler_.end_step(); }
  void set_lr(double lr);
  LossScaler& loss_scaler() { return scaler_; }

  // The parts in the model's order, and each one's optimizer (for checkpoints).
  const std::vector<std::string>& names() const { return names_; }
  torch::optim::Optimizer& optimizer(const std::string& part) { return *get(part).optimizer; }

 private:
  struct Part {
    std::vector<torch::Tensor> parameters;
    std::unique_ptr<torch::optim::Optimizer> optimizer;
  };
  Part& get(const std::string& name);

  const OptimConfig& config_;
  std::map<std::string, Part> parts_;
  std::vector<std::string> names_;
  LossScaler scaler_;
  Collectives* collectives_ = nullptr;
};

}  // namespace gencli
